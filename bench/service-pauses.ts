/**
 * What a service's own runtime did during a measured window, read from its Prometheus endpoint
 * (prom-client's default metrics): the longest event-loop delay and the garbage collection time. It
 * tells a tail the service caused itself (a pause) from one it waited on (the broker, the database, a
 * load generator sharing the cores).
 */
export interface ServicePauses {
  eventLoopMaxMs: number;
  gcMs: number;
  /** Collections that took 10 ms or more (prom-client's buckets: 1, 10, 100 ms...). */
  gcOver10Ms: number;
}

/** Samples of a Prometheus text exposition: `name{labels}` -> value (comments and blanks skipped). */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

function sumMatching(samples: Map<string, number>, prefix: string, labelPart = ""): number {
  let sum = 0;
  for (const [name, value] of samples)
    if (name.startsWith(prefix) && name.includes(labelPart) && Number.isFinite(value)) sum += value;
  return sum;
}

/** The largest sample of one metric, whatever its labels (ours carry `service`); NaN when absent. */
function maxMatching(samples: Map<string, number>, metric: string): number {
  let max = NaN;
  for (const [name, value] of samples)
    if ((name === metric || name.startsWith(`${metric}{`)) && !(value <= max)) max = value;
  return max;
}

/** The pauses between two scrapes; the later scrape's event-loop maximum covers the time since the earlier. */
export function pausesBetween(before: Map<string, number>, after: Map<string, number>): ServicePauses {
  const gcSeconds = (s: Map<string, number>) => sumMatching(s, "nodejs_gc_duration_seconds_sum");
  return {
    eventLoopMaxMs: Math.round(maxMatching(after, "nodejs_eventloop_lag_max_seconds") * 1000),
    gcMs: Math.round((gcSeconds(after) - gcSeconds(before)) * 1000),
    gcOver10Ms: observedAbove(before, after, "nodejs_gc_duration_seconds", "0.01").above,
  };
}

export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const response = await fetch(new URL("/metrics", baseUrl));
  if (!response.ok) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/** Observations of a histogram above one of its bucket bounds between two scrapes, and all of them. */
export function observedAbove(
  before: Map<string, number>,
  after: Map<string, number>,
  histogram: string,
  bound: string,
): { above: number; total: number } {
  const counts = (s: Map<string, number>) => ({
    total: sumMatching(s, `${histogram}_count`),
    within: sumMatching(s, `${histogram}_bucket`, `le="${bound}"`),
  });
  const [b, a] = [counts(before), counts(after)];
  return { above: a.total - a.within - (b.total - b.within), total: a.total - b.total };
}
