import {
  fieldDelivery,
  templateStatus,
  untypeableChanges,
} from "../../tests/fixtures/business-health-webhooks";
import { parseDelivery } from "./delivery-parser";

const parse = (body: unknown) =>
  parseDelivery({
    requestId: "request-1",
    receivedAt: 1751247600000,
    body: Buffer.from(JSON.stringify(body)),
    signatureHeader: "sha256=00",
    contentType: null,
  });
const where = "entry[0].changes[0].value";

describe("template, account and phone-number changes that cannot be typed", () => {
  it.each(untypeableChanges)(
    "reports $name as untyped ($reason), and keeps it raw",
    ({ change, reason, at }) => {
      const parsed = parse(fieldDelivery(change));
      expect([...parsed.templateEvents, ...parsed.accountEvents]).toEqual([]);
      expect(parsed.untyped).toEqual([
        { field: change.field, reason, detail: at === undefined ? where : `${where}.${at}` },
      ]);
      expect(parsed.businessEvents.map(({ value }) => JSON.parse(value.valueJson) as unknown)).toEqual([
        change.value,
      ]);
      expect(parsed.raw.value).toMatchObject({
        shapeRecognized: true,
        untypedCount: 1,
        templateEventCount: 0,
        accountEventCount: 0,
        problem: `1 object(s) became no typed event: ${at === undefined ? where : `${where}.${at}`} ${reason}`,
      });
    },
  );

  it("reports a change whose entry has no WABA id, and one whose value is not an object", () => {
    const noWaba = parse(fieldDelivery(templateStatus.paused, { wabaId: null }));
    expect(noWaba.untyped).toEqual([
      { field: "message_template_status_update", reason: "missing_waba_id", detail: where },
    ]);
    const notObject = parse(fieldDelivery({ field: "account_alerts", value: ["ACTIVE"] as never }));
    expect(notObject.untyped).toEqual([{ field: "account_alerts", reason: "not_an_object", detail: where }]);
    expect(notObject.businessEvents).toHaveLength(1);
  });

  it("types the good changes of a delivery beside the untypeable ones", () => {
    const body = fieldDelivery(templateStatus.paused);
    const entry = (body.entry as { changes: unknown[] }[])[0]!;
    entry.changes.push(untypeableChanges[0]!.change, untypeableChanges[4]!.change);
    const parsed = parse(body);
    expect(parsed.templateEvents).toHaveLength(1);
    expect(parsed.untyped.map(({ detail, reason }) => [detail, reason])).toEqual([
      ["entry[0].changes[1].value", "missing_template_id"],
      ["entry[0].changes[2].value", "missing_event"],
    ]);
    expect(parsed.businessEvents).toHaveLength(3);
  });
});
