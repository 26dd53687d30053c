import { isStorableValue, withoutNul } from "./storable-values";

describe("isStorableValue", () => {
  it("takes Meta's plain JSON", () => {
    expect(isStorableValue({ body: "hi", list_reply: { id: "a", title: "b" }, items: [{ x: 1 }] })).toBe(
      true,
    );
    expect(isStorableValue("text")).toBe(true);
  });

  it.each([
    ["a key starting with $", { $where: "1" }],
    ["a dotted key", { "a.b": 1 }],
    ["an empty key", { "": 1 }],
    ["a key holding U+0000", { "a\u0000": 1 }],
    ["a __proto__ key", JSON.parse('{"__proto__": {"polluted": true}}') as unknown],
    ["an array inside an array", { m: [[1, 2]] }],
    ["nesting deeper than 32", JSON.parse("[".repeat(40) + "]".repeat(40)) as unknown],
  ])("refuses %s", (_, value) => {
    expect(isStorableValue(value)).toBe(false);
  });

  it("stops at the depth bound without walking a very deep value", () => {
    const deep = JSON.parse("[".repeat(10_000) + "]".repeat(10_000)) as unknown;
    expect(isStorableValue({ nested: deep })).toBe(false);
  });
});

describe("withoutNul", () => {
  it("replaces U+0000 with U+FFFD in strings and keys, anywhere", () => {
    expect(withoutNul({ a: "x\u0000y", list: ["\u0000"], ["k\u0000"]: 1 })).toEqual({
      a: "x\uFFFDy",
      list: ["\uFFFD"],
      ["k\uFFFD"]: 1,
    });
  });

  it("returns the value itself when it holds no U+0000, and leaves bytes and dates alone", () => {
    const clean = { a: "x", n: 1, when: new Date(0), bytes: Buffer.from([0, 1]), list: [{ b: null }] };
    expect(withoutNul(clean)).toBe(clean);
  });
});
