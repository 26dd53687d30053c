import type { ServicePauses } from "../service-pauses";

/** How figures are written in the table and in the progress lines. */
export const fixed = (n: number, digits = 0) => n.toFixed(digits);
export const verdict = (met: boolean) => (met ? "met" : "MISSED");
export const pausesText = (p: ServicePauses) =>
  `event loop delayed up to ${p.eventLoopMaxMs} ms, GC ${p.gcMs} ms (${p.gcOver10Ms} collections of 10 ms or more)`;
