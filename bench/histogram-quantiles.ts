/**
 * Quantiles of a Prometheus histogram over a window: the difference of two scrapes (parsed by
 * parsePrometheusText), summed over every label but `le`, with linear interpolation inside a bucket
 * as Prometheus's histogram_quantile does.
 */
export interface HistogramWindow {
  /** Cumulative counts by upper bound, ascending; the last bound is +Inf. */
  buckets: { upperBound: number; cumulative: number }[];
  count: number;
  sum: number;
}

const leLabel = /[{,]le="([^"]+)"/;

function cumulativeBuckets(samples: Map<string, number>, histogram: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const [name, value] of samples) {
    if (!name.startsWith(`${histogram}_bucket{`)) continue;
    const le = leLabel.exec(name)?.[1];
    if (le === undefined) continue;
    const bound = le === "+Inf" ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + value);
  }
  return buckets;
}

/** A metric's samples added over every label (0 when absent). */
export function seriesTotal(samples: Map<string, number>, metric: string): number {
  let sum = 0;
  for (const [name, value] of samples) if (name === metric || name.startsWith(`${metric}{`)) sum += value;
  return sum;
}

/** The observations made between two scrapes; undefined when the later scrape has no such histogram. */
export function histogramBetween(
  before: Map<string, number>,
  after: Map<string, number>,
  histogram: string,
): HistogramWindow | undefined {
  const later = cumulativeBuckets(after, histogram);
  if (later.size === 0) return undefined;
  const earlier = cumulativeBuckets(before, histogram);
  const buckets = [...later]
    .map(([upperBound, cumulative]) => ({
      upperBound,
      cumulative: cumulative - (earlier.get(upperBound) ?? 0),
    }))
    .sort((a, b) => a.upperBound - b.upperBound);
  return {
    buckets,
    count: seriesTotal(after, `${histogram}_count`) - seriesTotal(before, `${histogram}_count`),
    sum: seriesTotal(after, `${histogram}_sum`) - seriesTotal(before, `${histogram}_sum`),
  };
}

/**
 * The q-quantile (0 < q <= 1), interpolated linearly inside its bucket (the first bucket starts at 0);
 * one beyond the largest finite bound is reported as that bound. NaN without observations.
 */
export function histogramQuantile(window: HistogramWindow, q: number): number {
  const observations = window.buckets.at(-1)?.cumulative ?? 0;
  if (observations <= 0) return NaN;
  const rank = q * observations;
  let lowerBound = 0;
  let below = 0;
  for (const { upperBound, cumulative } of window.buckets) {
    if (cumulative >= rank) {
      if (upperBound === Infinity) return lowerBound;
      return lowerBound + (upperBound - lowerBound) * ((rank - below) / (cumulative - below));
    }
    lowerBound = upperBound;
    below = cumulative;
  }
  return lowerBound;
}
