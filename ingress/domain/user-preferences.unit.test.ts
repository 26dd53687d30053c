import {
  BSUID_ONLY_CUSTOMER,
  BSUID_ONLY_USERNAME,
  userPreferences,
} from "../../tests/fixtures/customer-channel-webhooks";
import { CUSTOMER_BSUID } from "../../tests/fixtures/identity-webhooks";
import { parsedBody } from "../../tests/fixtures/inbound-events";
import {
  CUSTOMER_WA_ID,
  PHONE_NUMBER_ID,
  WABA_ID,
  envelope,
  metadata,
} from "../../tests/fixtures/meta-webhooks";
import { sha256Hex } from "./event-ids";

const preferencesDelivery = (items: Record<string, unknown>[]) =>
  parsedBody(envelope([{ field: "user_preferences", value: { metadata, user_preferences: items } }]));

describe("user preferences", () => {
  it("types a stop, keyed by business number and BSUID, kept raw too", () => {
    const parsed = parsedBody(userPreferences.stop);
    expect(parsed.untyped).toEqual([]);
    expect(parsed.businessEvents.map(({ value }) => value.field)).toEqual(["user_preferences"]);
    expect(parsed.raw.value.userPreferenceCount).toBe(1);
    const { key, value } = parsed.userPreferences[0]!;
    expect(key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`);
    expect(value).toEqual({
      eventId: sha256Hex(
        "preference",
        PHONE_NUMBER_ID,
        CUSTOMER_BSUID,
        "marketing_messages",
        "stop",
        "1781438400000",
      ),
      rawEventId: "raw-1",
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: "15550783881",
      wabaId: WABA_ID,
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
      parentUserId: null,
      username: null,
      profileName: "Sheena Nelson",
      category: "marketing_messages",
      value: "stop",
      detail: "User requested to stop marketing messages",
      timestamp: 1781438400000,
    });
  });

  it("types a resume of a customer without a phone number", () => {
    const { key, value } = parsedBody(userPreferences.resumeBsuidOnly).userPreferences[0]!;
    expect(key).toBe(`${PHONE_NUMBER_ID}:${BSUID_ONLY_CUSTOMER}`);
    expect(value).toMatchObject({
      waId: null,
      userId: BSUID_ONLY_CUSTOMER,
      parentUserId: "US.ENT.17720365410928374600",
      username: BSUID_ONLY_USERNAME,
      value: "resume",
    });
  });

  it("keys a customer known only by phone number by it", () => {
    const parsed = preferencesDelivery([
      { wa_id: CUSTOMER_WA_ID, category: "marketing_messages", value: "stop", timestamp: 1781438400 },
    ]);
    expect(parsed.userPreferences[0]!.key).toBe(`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`);
  });

  it("reports items without customer, value or timestamp", () => {
    const where = "entry[0].changes[0].value";
    const parsed = preferencesDelivery([
      { category: "marketing_messages", value: "stop", timestamp: 1781438400 },
      { wa_id: CUSTOMER_WA_ID, category: "marketing_messages", timestamp: 1781438400 },
      { wa_id: CUSTOMER_WA_ID, category: "marketing_messages", value: "stop" },
      { wa_id: CUSTOMER_WA_ID, category: "marketing_messages", value: "stop", timestamp: "noon" },
    ]);
    expect(parsed.untyped.map(({ reason, detail }) => [reason, detail])).toEqual([
      ["missing_customer", `${where}.user_preferences[0]`],
      ["missing_event", `${where}.user_preferences[1]`],
      ["missing_timestamp", `${where}.user_preferences[2]`],
      ["wrong_type", `${where}.user_preferences[3].timestamp`],
    ]);
    expect(parsed.userPreferences).toEqual([]);
    expect(parsed.businessEvents).toHaveLength(1);
  });
});
