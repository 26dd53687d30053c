import { parsedBody } from "../tests/fixtures/inbound-events";
import { customerIdsOf } from "../projector/projections/conversation/customer-identity";
import { changedMessageIdOf } from "../projector/projections/conversation/inbound-message";
import { customerIds, customerMix } from "./customer-mix";
import { sign, type Delivery } from "./delivery-mix";

function play(options: Parameters<typeof customerMix>[0]): Delivery[] {
  const next = customerMix(options);
  const deliveries: Delivery[] = [];
  for (let delivery = next(); delivery; delivery = next()) deliveries.push(delivery);
  return deliveries;
}

const deliveries = play({ runId: "unit", seed: 3, customers: 90 });
const firsts = deliveries.filter((d) => !d.effects.customer!.resent);
const resends = deliveries.filter((d) => d.effects.customer!.resent);

it("plays every customer's script to its end, then stops", () => {
  expect(new Set(firsts.map((d) => d.effects.customer!.key)).size).toBe(90);
  // 30 of each kind: merge 3 deliveries, number change 3, changes first 4 or 5.
  expect(firsts.length).toBeGreaterThanOrEqual(30 * 3 + 30 * 3 + 30 * 4);
  expect(firsts.length).toBeLessThanOrEqual(30 * 3 + 30 * 3 + 30 * 5);
});

it("carries in its effects the ids, message, edit or revoke the ingress derives from each body", () => {
  for (const { payload, effects } of deliveries) {
    const events = parsedBody(payload).inboundMessages.map((keyed) => keyed.value);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    const customer = effects.customer!;
    expect(effects.inbound).toEqual([]);
    expect([...customerIdsOf(event)].sort()).toEqual([...customer.ids].sort());
    const changed = changedMessageIdOf(event);
    if (changed === null) expect(customer.messages).toEqual([event.wamid]);
    else
      expect([...customer.edits, ...customer.revokes].map((c) => [c.of, c.id])).toEqual([
        [changed, event.wamid],
      ]);
  }
});

it("interleaves the scripts and sends every edit and revoke before the message it changes", () => {
  const keys = firsts.map((d) => d.effects.customer!.key);
  expect(keys.some((key, i) => i > 0 && key !== keys[i - 1] && keys.indexOf(key) < i - 1)).toBe(true);
  const changes = firsts.flatMap((d, i) =>
    [...d.effects.customer!.edits, ...d.effects.customer!.revokes].map((c) => ({ ...c, i })),
  );
  const sentAt = new Map(firsts.flatMap((d, i) => d.effects.customer!.messages.map((m) => [m, i])));
  const before = changes.filter((c) => c.i < sentAt.get(c.of)!);
  expect(before.length).toBe(60);
});

it("moves a number change to a number that sorts before the old one", () => {
  const ids = customerIds("unit", 1);
  expect(ids.smallerPhone < ids.phone).toBe(true);
  const notices = firsts.filter((d) => JSON.stringify(d.payload).includes("user_changed_number"));
  expect(notices).toHaveLength(30);
  for (const notice of notices) {
    const [event] = parsedBody(notice.payload).inboundMessages.map((keyed) => keyed.value);
    expect(event!.system!.waId! < event!.from).toBe(true);
  }
});

it("resends deliveries as the same signed bytes, after the first sending", () => {
  expect(resends.length).toBeGreaterThan(0);
  for (const resend of resends) {
    const first = deliveries.findIndex((d) => d.payload === resend.payload);
    expect(first).toBeLessThan(deliveries.indexOf(resend));
    expect(deliveries[first]!.effects.customer!.resent).toBeUndefined();
    expect(sign(resend, "secret").body.equals(sign(deliveries[first]!, "secret").body)).toBe(true);
  }
});

it("gives every run its own ids, and the same run the same mix", () => {
  const idsOf = (list: Delivery[]) =>
    new Set(list.flatMap((d) => [...d.effects.customer!.ids, ...d.effects.customer!.messages]));
  const other = idsOf(play({ runId: "other", seed: 3, customers: 90 }));
  expect([...idsOf(deliveries)].filter((id) => other.has(id))).toEqual([]);
  expect(play({ runId: "unit", seed: 3, customers: 90 })).toEqual(deliveries);
  const wamids = firsts.flatMap((d) => [
    ...d.effects.customer!.messages,
    ...d.effects.customer!.edits.map((e) => e.id),
    ...d.effects.customer!.revokes.map((r) => r.id),
  ]);
  expect(new Set(wamids).size).toBe(wamids.length);
});
