import { parseJsonLosslessly, text } from "./meta-json";

describe("parseJsonLosslessly", () => {
  it("keeps an integer above 2^53 digit for digit, where JSON.parse rounds it", () => {
    const source = '{"id":18446744073709551615,"small":1689556908129835,"ratio":0.5,"big":1e+300}';
    expect(String((JSON.parse(source) as { id: number }).id)).not.toBe("18446744073709551615");
    const parsed = parseJsonLosslessly(source) as Record<string, unknown>;
    expect(text(parsed.id)).toBe("18446744073709551615");
    expect(parsed.small).toBe(1689556908129835);
    expect(parsed.ratio).toBe(0.5);
    expect(parsed.big).toBe(1e300);
    expect(JSON.stringify(parsed)).toBe(source);
  });

  it("keeps a large integer wherever a JSON number can stand: first, in an array, after spaces and new lines", () => {
    for (const source of [
      "18446744073709551615",
      "[1,\n  18446744073709551615]",
      '{"id" :\t-18446744073709551615}',
    ])
      expect(JSON.stringify(parseJsonLosslessly(source))).toBe(source.replace(/\s/g, ""));
  });

  it("parses a body with only digits of 16 or more inside strings as JSON.parse does", () => {
    const source =
      '{"wamid":"wamid.HBgLMTY1MDU1NTEyMzQ1Njc4OTAxMjM0NTY3ODkw","from":"12345678901234567890","n":15}';
    expect(parseJsonLosslessly(source)).toEqual(JSON.parse(source));
  });

  it("parses JSON nested deeper than the reviver's recursion can go, and refuses what is not JSON", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(Array.isArray(parseJsonLosslessly(deep))).toBe(true);
    expect(() => parseJsonLosslessly("{not json")).toThrow(SyntaxError);
  });
});
