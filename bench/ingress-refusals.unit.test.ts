import { refusalsBetween } from "./ingress-refusals";
import { metricByLabel } from "./projector-health";

describe("refusals by bound from the ingress's metrics", () => {
  const metrics = new Map([
    [
      "whatsapp_ingress_capacity_refusals_total",
      new Map([
        ['{limit="produce_backlog",service="whatsapp-ingress"}', 118],
        ['{service="whatsapp-ingress",limit="deliveries_in_flight"}', 3],
        ['{service="whatsapp-ingress"}', 7],
      ]),
    ],
  ]);

  it("takes each series' value by the label asked for, wherever it stands, and leaves out series without it", () => {
    expect(metricByLabel(metrics, "whatsapp_ingress_capacity_refusals_total", "limit")).toEqual({
      produce_backlog: 118,
      deliveries_in_flight: 3,
    });
    expect(metricByLabel(metrics, "nodejs_gc_duration_seconds_sum", "kind")).toEqual({});
  });

  it("names only the bounds that refused between two readings", () => {
    expect(
      refusalsBetween(
        { produce_backlog: 10, deliveries_in_flight: 3 },
        { produce_backlog: 128, deliveries_in_flight: 3, turn_wait: 2 },
      ),
    ).toBe("produce_backlog x 118, turn_wait x 2");
    expect(refusalsBetween({ produce_backlog: 5 }, { produce_backlog: 5 })).toBe("");
  });
});
