import type { ServiceProcess } from "../tests/support/service-process";
import { metricByLabel, metricGrowth, scrapeMetrics } from "./projector-health";

/** The ingress's refusals so far by bound, from `whatsapp_ingress_capacity_refusals_total{limit}`. */
export async function refusalsByBound(ingress: ServiceProcess): Promise<Record<string, number>> {
  const metrics = await scrapeMetrics(ingress.operationsUrl);
  return metricByLabel(metrics, "whatsapp_ingress_capacity_refusals_total", "limit");
}

/** The refusals by bound between two readings of refusalsByBound, as "bound x N" (empty when none). */
export function refusalsBetween(before: Record<string, number>, after: Record<string, number>): string {
  return Object.entries(metricGrowth(before, after))
    .filter(([, count]) => count > 0)
    .map(([limit, count]) => `${limit} x ${count}`)
    .join(", ");
}
