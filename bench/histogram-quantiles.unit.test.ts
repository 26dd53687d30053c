import { histogramBetween, histogramQuantile } from "./histogram-quantiles";
import { parsePrometheusText } from "./service-pauses";

const name = "whatsapp_projector_event_age_seconds";
const bounds = ["0.01", "0.025", "0.05", "0.1", "+Inf"];

/** One series per `topic` label, cumulative counts in the order of `bounds`. */
const scrape = (series: Record<string, number[]>) =>
  parsePrometheusText(
    Object.entries(series)
      .flatMap(([topic, counts]) => [
        ...bounds.map((le, i) => `${name}_bucket{le="${le}",service="s",topic="${topic}"} ${counts[i]}`),
        `${name}_sum{service="s",topic="${topic}"} ${counts.at(-1)! * 0.03}`,
        `${name}_count{service="s",topic="${topic}"} ${counts.at(-1)}`,
      ])
      .join("\n"),
  );

describe("quantiles of a Prometheus histogram between two scrapes", () => {
  // Between the scrapes: 50 observations in (0.01, 0.025], 40 in (0.025, 0.05], 10 in (0.05, 0.1],
  // split over two series whose counts must be added.
  const before = scrape({ a: [5, 5, 5, 5, 5], b: [0, 0, 0, 0, 0] });
  const after = scrape({ a: [5, 35, 55, 60, 60], b: [0, 20, 40, 45, 45] });

  it("subtracts the earlier scrape and adds the series of every label", () => {
    const window = histogramBetween(before, after, name)!;
    expect(window.buckets).toEqual([
      { upperBound: 0.01, cumulative: 0 },
      { upperBound: 0.025, cumulative: 50 },
      { upperBound: 0.05, cumulative: 90 },
      { upperBound: 0.1, cumulative: 100 },
      { upperBound: Infinity, cumulative: 100 },
    ]);
    expect(window.count).toBe(100);
    expect(window.sum).toBeCloseTo(3);
  });

  it("interpolates linearly inside the bucket that holds the rank", () => {
    const window = histogramBetween(before, after, name)!;
    expect(histogramQuantile(window, 0.5)).toBeCloseTo(0.025); // rank 50: the top of (0.01, 0.025]
    expect(histogramQuantile(window, 0.7)).toBeCloseTo(0.0375); // rank 70: half-way through (0.025, 0.05]
    expect(histogramQuantile(window, 0.99)).toBeCloseTo(0.095); // rank 99: 9 of 10 into (0.05, 0.1]
  });

  it("starts the first bucket at zero", () => {
    const window = histogramBetween(scrape({ a: [0, 0, 0, 0, 0] }), scrape({ a: [4, 4, 4, 4, 4] }), name)!;
    expect(histogramQuantile(window, 0.5)).toBeCloseTo(0.005);
  });

  it("reports a quantile beyond the last finite bound as that bound", () => {
    const window = histogramBetween(scrape({ a: [0, 0, 0, 0, 0] }), scrape({ a: [0, 0, 0, 90, 100] }), name)!;
    expect(histogramQuantile(window, 0.99)).toBe(0.1);
  });

  it("is NaN without observations, and the window undefined without the histogram", () => {
    expect(histogramQuantile(histogramBetween(before, before, name)!, 0.5)).toBeNaN();
    expect(histogramBetween(before, parsePrometheusText("other_metric 1\n"), name)).toBeUndefined();
  });
});
