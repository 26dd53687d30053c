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

  it("parses JSON nested deeper than the reviver's recursion can go, and refuses what is not JSON", () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    expect(Array.isArray(parseJsonLosslessly(deep))).toBe(true);
    expect(() => parseJsonLosslessly("{not json")).toThrow(SyntaxError);
  });
});
