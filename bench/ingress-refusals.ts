import type { ServiceProcess } from "../tests/support/service-process";
import { scrapeMetrics } from "./projector-health";

/** The ingress's refusals so far by bound, from `whatsapp_ingress_capacity_refusals_total{limit}`. */
export async function refusalsByBound(ingress: ServiceProcess): Promise<Record<string, number>> {
  const series = (await scrapeMetrics(ingress.operationsUrl)).get("whatsapp_ingress_capacity_refusals_total");
  const byBound: Record<string, number> = {};
  for (const [labels, value] of series ?? []) {
    const limit = /limit="([^"]+)"/.exec(labels)?.[1];
    if (limit) byBound[limit] = value;
  }
  return byBound;
}

/** The refusals by bound between two readings of refusalsByBound, as "bound x N" (empty when none). */
export function refusalsBetween(before: Record<string, number>, after: Record<string, number>): string {
  return Object.entries(after)
    .map(([limit, count]) => [limit, count - (before[limit] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .map(([limit, count]) => `${limit} x ${count}`)
    .join(", ");
}
