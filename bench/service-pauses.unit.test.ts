import { observedAbove, parsePrometheusText, pausesBetween } from "./service-pauses";

const scrape = (gcSum: number, gcCount: number, gcUnder10Ms: number, loopMaxSeconds: number) =>
  parsePrometheusText(
    [
      "# HELP nodejs_eventloop_lag_max_seconds The maximum recorded event loop delay.",
      "# TYPE nodejs_eventloop_lag_max_seconds gauge",
      `nodejs_eventloop_lag_max_seconds{service="whatsapp-ingress"} ${loopMaxSeconds}`,
      `nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 1`,
      `nodejs_gc_duration_seconds_bucket{le="0.01",kind="minor"} ${gcUnder10Ms}`,
      `nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} ${gcCount - 1}`,
      `nodejs_gc_duration_seconds_sum{kind="minor"} ${gcSum - 0.5}`,
      `nodejs_gc_duration_seconds_count{kind="minor"} ${gcCount - 1}`,
      `nodejs_gc_duration_seconds_bucket{le="0.01",kind="major"} 0`,
      `nodejs_gc_duration_seconds_sum{kind="major"} 0.5`,
      `nodejs_gc_duration_seconds_count{kind="major"} 1`,
      "",
    ].join("\n"),
  );

describe("service pauses from two scrapes of prom-client's default metrics", () => {
  it("reads samples with and without labels, skipping comments", () => {
    const samples = parsePrometheusText('# TYPE a gauge\na 1.5\nb{kind="x y"} 2\n');
    expect([...samples]).toEqual([
      ["a", 1.5],
      ['b{kind="x y"}', 2],
    ]);
  });

  it("gives GC time and long collections between the scrapes, and the later scrape's loop maximum", () => {
    const before = scrape(1.0, 10, 8, 0.5);
    const after = scrape(1.25, 15, 11, 0.042);
    // 5 more collections, 3 more of them under 10 ms (the major one was already over 10 ms before).
    expect(pausesBetween(before, after)).toEqual({ eventLoopMaxMs: 42, gcMs: 250, gcOver10Ms: 2 });
  });

  it("counts a histogram's observations above a bound between the scrapes", () => {
    const before = scrape(1.0, 10, 8, 0.5);
    const after = scrape(1.25, 15, 11, 0.042);
    expect(observedAbove(before, after, "nodejs_gc_duration_seconds", "0.01")).toEqual({
      above: 2,
      total: 5,
    });
  });
});
