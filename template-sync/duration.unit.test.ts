import { parseDuration } from "./duration";

it("reads 30s, 15m, 6h and 1d, and nothing else", () => {
  expect([parseDuration("30s"), parseDuration("15m"), parseDuration("6h"), parseDuration("1d")]).toEqual([
    30_000, 900_000, 21_600_000, 86_400_000,
  ]);
  for (const bad of ["", "15", "0m", "1.5h", "-1m", "1w", "m"]) expect(parseDuration(bad)).toBeNull();
});
