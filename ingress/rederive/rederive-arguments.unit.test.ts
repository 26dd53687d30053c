import { defaultReportEvery, parseRederiveArguments, parseSince, UsageError } from "./rederive-arguments";

const now = Date.parse("2026-12-01T12:00:00Z");
const parse = (...argv: string[]) => parseRederiveArguments(argv, now);

describe("parseRederiveArguments", () => {
  it("reads --since as a time and --from-beginning as the whole log", () => {
    expect(parse("--since", "2026-11-20T08:00:00Z")).toEqual({
      kind: "run",
      from: { kind: "time", timestamp: Date.parse("2026-11-20T08:00:00Z") },
      reportEvery: defaultReportEvery,
    });
    expect(parse("--from-beginning")).toEqual({
      kind: "run",
      from: { kind: "beginning" },
      reportEvery: defaultReportEvery,
    });
    expect(parse("--since=1763625600000", "--report-every", "50")).toEqual({
      kind: "run",
      from: { kind: "time", timestamp: 1763625600000 },
      reportEvery: 50,
    });
    expect(parse("--help")).toEqual({ kind: "help" });
  });

  it.each([
    [[], /--since <time> or --from-beginning/],
    [["--since", "2026-11-20T08:00:00Z", "--from-beginning"], /not both/],
    [["--sinse", "2026-11-20"], /Unknown option '--sinse'/],
    [["2026-11-20"], /positional argument/],
    [["--since"], /argument missing/],
    [["--from-beginning", "--report-every", "0"], /--report-every 0 is not a positive whole number/],
    [["--from-beginning", "--report-every", "ten"], /--report-every ten/],
  ])("refuses %j as bad usage", (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe("parseSince", () => {
  it.each([
    ["2026-11-20T08:00:00Z", "2026-11-20T08:00:00.000Z"],
    ["2026-11-20T09:00+01:00", "2026-11-20T08:00:00.000Z"],
    ["2026-11-20T08:00:00.250-0000", "2026-11-20T08:00:00.250Z"],
    ["2026-11-20", "2026-11-20T00:00:00.000Z"],
    ["1763625600000", "2025-11-20T08:00:00.000Z"],
  ])("reads %s", (value, expected) => {
    expect(new Date(parseSince(value, now)).toISOString()).toBe(expected);
  });

  it.each([
    ["2026-11-20T08:00:00", /with a zone/],
    ["yesterday", /neither ISO 8601/],
    ["1763625600", /looks like Unix seconds: give milliseconds \(1763625600000\)/],
    ["2026-02-30T08:00:00Z", /not a valid date/],
    ["2026-12-02T00:00:00Z", /in the future/],
  ])("refuses %s", (value, message) => {
    expect(() => parseSince(value, now)).toThrow(UsageError);
    expect(() => parseSince(value, now)).toThrow(message);
  });
});
