import { parseDuration } from "./duration";

it("reads 30s, 15m, 6h and 1d, and nothing else", () => {
  expect([parseDuration("30s"), parseDuration("15m"), parseDuration("6h"), parseDuration("1d")]).toEqual([
    { ms: 30_000 },
    { ms: 900_000 },
    { ms: 21_600_000 },
    { ms: 86_400_000 },
  ]);
  for (const bad of ["", "15", "0m", "1.5h", "-1m", "1w", "m"])
    expect(parseDuration(bad)).toEqual({ problem: `"${bad}" is not a duration like 15m` });
});

it("refuses more than 24 days, which a Node timer cannot wait", () => {
  expect(parseDuration("24d")).toEqual({ ms: 24 * 86_400_000 });
  for (const long of ["25d", "577h", "34561m", "99999999999d"])
    expect(parseDuration(long)).toEqual({
      problem: `"${long}" is longer than 24 days, the longest this sync waits`,
    });
});
