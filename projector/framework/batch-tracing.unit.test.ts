import { ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { groupByParent } from "./batch-tracing";

const sentBy = (traceId: string, spanId: string) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
const deliveryA = sentBy("a".repeat(32), "1".repeat(16));
const deliveryB = sentBy("b".repeat(32), "2".repeat(16));

it("groups a batch's records by the send span they came from, keeping their order", () => {
  const records = [
    { offset: "1", parent: deliveryA },
    { offset: "2", parent: deliveryB },
    { offset: "3", parent: deliveryA },
    { offset: "4", parent: ROOT_CONTEXT },
    { offset: "5", parent: deliveryB },
  ];
  const groups = [...groupByParent(records).values()];
  expect(groups.map((g) => g.records.map((r) => r.offset))).toEqual([["1", "3"], ["2", "5"], ["4"]]);
  expect(trace.getSpanContext(groups[0]!.parent)?.traceId).toBe("a".repeat(32));
  expect(trace.getSpanContext(groups[2]!.parent)).toBeUndefined();
});

it("keeps records from two spans of one trace apart: each continues its own parent", () => {
  const sameTraceOtherSpan = sentBy("a".repeat(32), "3".repeat(16));
  const groups = groupByParent([{ parent: deliveryA }, { parent: sameTraceOtherSpan }]);
  expect(groups.size).toBe(2);
});

it("puts records with an invalid or missing context together, as new traces", () => {
  const invalid = sentBy("0".repeat(32), "0".repeat(16));
  const groups = groupByParent([{ parent: ROOT_CONTEXT }, { parent: invalid }]);
  expect(groups.size).toBe(1);
});
