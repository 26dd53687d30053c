import {
  ENTRY_TIME,
  LARGE_TEMPLATE_ID,
  fieldDelivery,
  templateCategory,
  templateComponents,
  templateQuality,
  templateStatus,
  withTemplateIdDigits,
  type FieldChangeBody,
} from "../../tests/fixtures/business-health-webhooks";
import { WABA_ID } from "../../tests/fixtures/meta-webhooks";
import { parseDelivery, type ParsedDelivery } from "./delivery-parser";
import { typedChangeEventId } from "./event-ids";

const receivedAt = 1751247600000;
const parseBody = (body: Buffer): ParsedDelivery =>
  parseDelivery({
    requestId: "request-1",
    receivedAt,
    body,
    signatureHeader: "sha256=00",
    contentType: null,
  });
const parse = (change: FieldChangeBody): ParsedDelivery =>
  parseBody(Buffer.from(JSON.stringify(fieldDelivery(change))));
const onlyTemplateEvent = (change: FieldChangeBody) => {
  const parsed = parse(change);
  expect(parsed.templateEvents).toHaveLength(1);
  expect(parsed.untyped).toEqual([]);
  return parsed.templateEvents[0]!;
};

describe("template events", () => {
  it("types a rejection with its reason, category and rejection_info, keyed by template id", () => {
    const { key, value } = onlyTemplateEvent(templateStatus.rejected);
    expect(key).toBe("1689556908129835");
    expect(value).toEqual({
      eventId: typedChangeEventId(
        "template",
        WABA_ID,
        "message_template_status_update",
        ENTRY_TIME * 1000,
        JSON.stringify(templateStatus.rejected.value),
      ),
      rawEventId: "request-1",
      wabaId: WABA_ID,
      field: "message_template_status_update",
      templateId: "1689556908129835",
      templateName: "abandoned_cart",
      language: "en",
      status: {
        event: "REJECTED",
        reason: "INVALID_FORMAT",
        category: "MARKETING",
        disableDate: null,
        otherInfo: null,
        rejectionInfo: templateStatus.rejected.value.rejection_info,
      },
      quality: null,
      category: null,
      components: null,
      snapshot: null,
      eventTime: ENTRY_TIME * 1000,
      receivedAt,
      valueJson: JSON.stringify(templateStatus.rejected.value),
    });
  });

  it("types a pause with Meta's other_info, and a disable with its date", () => {
    expect(onlyTemplateEvent(templateStatus.paused).value.status).toEqual({
      event: "PAUSED",
      reason: "NONE",
      category: "UTILITY",
      disableDate: null,
      otherInfo: templateStatus.paused.value.other_info,
      rejectionInfo: null,
    });
    expect(onlyTemplateEvent(templateStatus.disabled).value.status).toMatchObject({
      event: "DISABLED",
      disableDate: 1751234563000,
      otherInfo: { title: "DISABLED" },
    });
  });

  it("keeps a null reason, and a status value no list of ours knows, as they came", () => {
    expect(onlyTemplateEvent(templateStatus.pendingDeletion).value.status).toMatchObject({
      event: "PENDING_DELETION",
      reason: null,
    });
    expect(onlyTemplateEvent(templateStatus.unknownEvent).value.status).toMatchObject({
      event: "SOFT_LOCKED",
      category: null,
    });
  });

  it("types a quality score drop with the previous score", () => {
    const { key, value } = onlyTemplateEvent(templateQuality.dropped);
    expect(key).toBe("806312974732579");
    expect(value).toMatchObject({
      field: "message_template_quality_update",
      templateName: "welcome_template",
      language: "en-US",
      status: null,
      quality: { previousScore: "GREEN", newScore: "YELLOW" },
    });
  });

  it("tells an announced category change, with its date, from a completed one", () => {
    expect(onlyTemplateEvent(templateCategory.announced).value.category).toEqual({
      announced: true,
      previousCategory: null,
      newCategory: "UTILITY",
      correctCategory: "MARKETING",
      categoryUpdateTime: 1746169200000,
    });
    expect(onlyTemplateEvent(templateCategory.completed).value.category).toEqual({
      announced: false,
      previousCategory: "UTILITY",
      newCategory: "MARKETING",
      correctCategory: null,
      categoryUpdateTime: null,
    });
  });

  it("types the components of an edit, buttons included", () => {
    expect(onlyTemplateEvent(templateComponents.edited).value.components).toEqual({
      title: "Your order is confirmed!",
      body: templateComponents.edited.value.message_template_element,
      footer: "Lucky Shrub: Your gateway to succulents!",
      buttons: [
        { type: "PHONE_NUMBER", text: "Phone support", url: null, phoneNumber: "+15550783881" },
        { type: "URL", text: "Email support", url: "https://www.luckyshrub.com/support", phoneNumber: null },
      ],
    });
  });

  it("keeps a template id above 2^53 exact, in the key, the event and both JSON copies", () => {
    expect(Number(LARGE_TEMPLATE_ID) > Number.MAX_SAFE_INTEGER).toBe(true);
    const parsed = parseBody(withTemplateIdDigits(templateQuality.dropped, LARGE_TEMPLATE_ID));
    const { key, value } = parsed.templateEvents[0]!;
    expect([key, value.templateId]).toEqual([LARGE_TEMPLATE_ID, LARGE_TEMPLATE_ID]);
    expect(value.valueJson).toContain(`"message_template_id":${LARGE_TEMPLATE_ID}`);
    expect(parsed.businessEvents[0]!.value.valueJson).toContain(`"message_template_id":${LARGE_TEMPLATE_ID}`);
  });

  it("gives a redelivery the same event id, and another entry time another", () => {
    const again = onlyTemplateEvent(templateStatus.paused).value.eventId;
    expect(onlyTemplateEvent(templateStatus.paused).value.eventId).toBe(again);
    const later = parseBody(
      Buffer.from(JSON.stringify(fieldDelivery(templateStatus.paused, { time: ENTRY_TIME + 60 }))),
    );
    expect(later.templateEvents[0]!.value.eventId).not.toBe(again);
  });

  it("still writes each change as a business event, and counts the typed ones in the raw record", () => {
    const parsed = parse(templateStatus.rejected);
    expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["message_template_status_update"]);
    expect(parsed.raw.value).toMatchObject({
      businessEventCount: 1,
      templateEventCount: 1,
      accountEventCount: 0,
    });
    expect(parsed.accountEvents).toEqual([]);
  });
});
