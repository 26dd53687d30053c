import { sameValues } from "./same-values";

describe("sameValues", () => {
  it("compares Dates by time, and never equal to anything else", () => {
    expect(sameValues(new Date(5), new Date(5))).toBe(true);
    expect(sameValues(new Date(5), new Date(6))).toBe(false);
    expect(sameValues(new Date(5), 5)).toBe(false);
    expect(sameValues({ at: new Date(0) }, { at: null })).toBe(false);
  });

  it("compares arrays in order and objects whatever their keys' order", () => {
    expect(sameValues([1, { a: 2 }], [1, { a: 2 }])).toBe(true);
    expect(sameValues([1, 2], [2, 1])).toBe(false);
    expect(sameValues([1], [1, 1])).toBe(false);
    expect(sameValues({ a: 1, b: [new Date(1)] }, { b: [new Date(1)], a: 1 })).toBe(true);
    expect(sameValues({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValues({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameValues([1], { 0: 1 })).toBe(false);
  });

  it("takes a key holding undefined as absent, and null as a value", () => {
    expect(sameValues({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValues({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameValues({ a: null }, {})).toBe(false);
    expect(sameValues({ a: null }, { a: undefined })).toBe(false);
  });
});
