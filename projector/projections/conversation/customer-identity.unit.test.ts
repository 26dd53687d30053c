import {
  bothIdentifiersTextMessage,
  bsuidOnlyTextMessage,
  CUSTOMER_BSUID,
  CUSTOMER_NEW_BSUID,
  CUSTOMER_NEW_WA_ID,
  CUSTOMER_PARENT_BSUID,
  editMessage,
  phoneOnlyTextMessage,
  revokeMessage,
  userChangedNumber,
  userChangedUserId,
} from "../../../tests/fixtures/identity-webhooks";
import { CUSTOMER_WA_ID } from "../../../tests/fixtures/meta-webhooks";
import { conversationSurvivor, customerIdsOf } from "./customer-identity";
import { eventFrom, id } from "../../../tests/fixtures/customer-scenarios";

describe("the customer's identity", () => {
  it("goes by the smallest phone-number id, else the smallest BSUID id", () => {
    expect(conversationSurvivor([id(CUSTOMER_BSUID), id(CUSTOMER_NEW_WA_ID), id(CUSTOMER_WA_ID)])).toBe(
      id(CUSTOMER_WA_ID),
    );
    expect(conversationSurvivor([id(CUSTOMER_NEW_WA_ID), id("US.00000000000000000001")])).toBe(
      id(CUSTOMER_NEW_WA_ID),
    );
    expect(conversationSurvivor([id(CUSTOMER_NEW_BSUID), id(CUSTOMER_BSUID)])).toBe(id(CUSTOMER_BSUID));
    expect(conversationSurvivor([id(CUSTOMER_PARENT_BSUID)])).toBe(id(CUSTOMER_PARENT_BSUID));
  });

  it.each([
    ["a phone-only message", () => phoneOnlyTextMessage(), [CUSTOMER_WA_ID]],
    ["a BSUID-only message", () => bsuidOnlyTextMessage(), [CUSTOMER_BSUID]],
    ["a message with both", () => bothIdentifiersTextMessage(), [CUSTOMER_WA_ID, CUSTOMER_BSUID]],
    [
      "a user_changed_number notice",
      () => userChangedNumber(),
      [CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID, CUSTOMER_NEW_BSUID, CUSTOMER_BSUID],
    ],
    [
      "a user_changed_number notice of the older shape",
      () => userChangedNumber({ newUserId: null }),
      [CUSTOMER_WA_ID, CUSTOMER_NEW_WA_ID],
    ],
    ["a user_changed_user_id notice", () => userChangedUserId(), [CUSTOMER_BSUID, CUSTOMER_NEW_BSUID]],
    ["an edit", () => editMessage(), [CUSTOMER_WA_ID, CUSTOMER_BSUID]],
    ["a revoke by a username user", () => revokeMessage({ from: null }), [CUSTOMER_BSUID]],
  ])("names the customer's ids in %s", (_, body, customerIds) => {
    expect(customerIdsOf(eventFrom(body())).sort()).toEqual(customerIds.map(id).sort());
  });
});
