import type { Db } from "mongodb";
import { customerMix } from "./customer-mix";
import { deliveryMix, sign, type SignedDelivery } from "./delivery-mix";
import { auditEffects, type Audit } from "./effects-audit";
import type { SignedLoad } from "./signed-load";

/**
 * The steady signed load of `make faults` and `make scale`: one delivery in five from the customer hard
 * cases (merges, number changes that move conversations, changes before their message, resends), the
 * rest the bench's mix.
 */
export function steadyDeliveries(runId: string, appSecret: string): () => SignedDelivery {
  // Status batches of up to 20: the read models on FerretDB grow slower than with the bench's batches of 100.
  const mix = deliveryMix({ runId, seed: 7, largestStatusBatch: 20 });
  const customers = customerMix({ runId, seed: 11 });
  let sent = 0;
  return () => sign((sent++ % 5 === 4 && customers()) || mix(), appSecret);
}

/**
 * Drains the load, then audits every delivery it sent since the start (effects-audit); the audit fails
 * too when the hard cases did not happen (no customer merged, no delivery resent).
 */
export async function auditSteadyLoad(options: {
  label: string;
  load: SignedLoad;
  refusedRequestIds: readonly string[];
  topicPrefix: string;
  groups: { status: string; conversation: string };
  db: Db;
  log: (message: string) => void;
}): Promise<Audit> {
  const { label, load, log, ...where } = options;
  log(`${label}: load stopped; waiting for every delivery to be acknowledged or given up`);
  await load.drain();
  log(`${label}: reading the raw topic and waiting for the projectors to reach its end`);
  const audit = await auditEffects({ tracked: load.tracked, ...where });
  if (audit.merged === 0 || audit.resent === 0)
    audit.details.push(
      `the hard cases did not happen: ${audit.merged} customers merged, ${audit.resent} deliveries resent`,
    );
  return audit;
}

/** The audit's counts, cumulative since the load started. */
export const auditLine = (audit: Audit) =>
  `${audit.attempted} attempted, ${audit.acknowledged} acknowledged, ${audit.inLog} in log, ${audit.lost} lost, ${audit.duplicated} duplicated, ` +
  `${audit.customers} hard-case customers (${audit.merged} merged, ${audit.failedMerges} failed merges), ${audit.resent} resent`;
