import {
  BSUID_ONLY_CUSTOMER,
  BSUID_ONLY_USERNAME,
  GROUP_ID,
  groupMessage,
  groups,
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

const onlyGroupEvent = (body: unknown) => {
  const parsed = parsedBody(body);
  expect(parsed.untyped).toEqual([]);
  expect(parsed.groupEvents).toHaveLength(1);
  expect(parsed.businessEvents).toHaveLength(1);
  expect(parsed.raw.value.groupEventCount).toBe(1);
  return parsed.groupEvents[0]!;
};

describe("group events", () => {
  it("types a group's creation, keyed by group id, its id from the item", () => {
    const { key, value } = onlyGroupEvent(groups.created);
    expect(key).toBe(GROUP_ID);
    expect(value).toMatchObject({
      field: "group_lifecycle_update",
      type: "group_create",
      groupId: GROUP_ID,
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: WABA_ID,
      timestamp: 1781439400000,
      requestId: "6e0c3a3c-1d4a-4b2f-9a57-9d2d27a1f0c1",
      subject: "Sunday brunch club",
      description: "Menus and bookings for Sunday brunch",
      inviteLink: "https://chat.whatsapp.com/GxR5kQ2mTzL8bN4pV1wY7c",
      joinApprovalMode: "approval_required",
      errors: [],
    });
    expect(value.eventId).toBe(
      sha256Hex(
        "group",
        GROUP_ID,
        "group_lifecycle_update",
        "group_create",
        "1781439400000",
        value.groupJson,
      ),
    );
  });

  it("types a failed creation with its errors, and a deletion", () => {
    expect(onlyGroupEvent(groups.createFailed).value.errors).toMatchObject([{ code: 131000 }]);
    expect(onlyGroupEvent(groups.deleted).value).toMatchObject({ type: "group_delete", subject: null });
  });

  it("types participants added by invite link, by phone number and BSUID or BSUID alone", () => {
    expect(onlyGroupEvent(groups.participantsAdded).value).toMatchObject({
      type: "group_participants_add",
      reason: "invite_link",
      addedParticipants: [
        { waId: CUSTOMER_WA_ID, userId: CUSTOMER_BSUID, username: null, input: null },
        { waId: null, userId: BSUID_ONLY_CUSTOMER, username: BSUID_ONLY_USERNAME },
      ],
      removedParticipants: [],
    });
  });

  it("types a removal that partly failed, and a participant who left", () => {
    expect(onlyGroupEvent(groups.participantsRemovedPartly).value).toMatchObject({
      initiatedBy: "business",
      removedParticipants: [{ input: CUSTOMER_WA_ID, waId: null }],
      failedParticipants: [{ input: "16505550199", errors: [{ code: 131215 }] }],
    });
    expect(onlyGroupEvent(groups.participantLeft).value).toMatchObject({
      initiatedBy: "participant",
      removedParticipants: [{ waId: CUSTOMER_WA_ID, userId: CUSTOMER_BSUID }],
      joinRequester: null,
    });
  });

  it("types join requests with their requester", () => {
    for (const [body, type] of [
      [groups.joinRequestCreated, "group_join_request_created"],
      [groups.joinRequestRevoked, "group_join_request_revoked"],
    ] as const) {
      expect(onlyGroupEvent(body).value).toMatchObject({
        type,
        joinRequestId: "MTIwMzYzMzk5NDI4MTY4NTY0OjE3ODE0Mzk4MDA",
        joinRequester: { waId: null, userId: BSUID_ONLY_CUSTOMER, username: BSUID_ONLY_USERNAME },
      });
    }
  });

  it("types settings updates, each part with its success and errors", () => {
    expect(onlyGroupEvent(groups.settingsUpdated).value).toMatchObject({
      subjectUpdate: { text: "Sunday brunch club (June)", updateSuccessful: true, errors: [] },
      descriptionUpdate: { text: "Menus, bookings and the June specials", updateSuccessful: true },
      profilePictureUpdate: { mimeType: "image/jpeg", updateSuccessful: true, errors: [] },
    });
    expect(onlyGroupEvent(groups.settingsPartlyFailed).value).toMatchObject({
      descriptionUpdate: null,
      profilePictureUpdate: { updateSuccessful: false, errors: [{ details: "The image is too small." }] },
      errors: [{ details: "Some settings were not updated." }],
    });
  });

  it("types a suspension and its clearing", () => {
    expect(onlyGroupEvent(groups.suspended).value).toMatchObject({
      field: "group_status_update",
      type: "group_suspend",
      reason: "terms_of_service_violation",
    });
    expect(onlyGroupEvent(groups.suspensionCleared).value.type).toBe("group_suspend_cleared");
  });

  it("puts a group message's group id on the inbound topic", () => {
    expect(parsedBody(groupMessage).inboundMessages[0]!.value).toMatchObject({
      groupId: GROUP_ID,
      fromUserId: CUSTOMER_BSUID,
    });
  });

  it("reports items without group id or type, of a wrong type, and a change without groups", () => {
    const where = "entry[0].changes[0].value";
    const parsed = parsedBody(
      envelope([
        {
          field: "group_participants_update",
          value: {
            metadata,
            groups: [
              { type: "group_participants_add", timestamp: "1781438400" },
              { group_id: GROUP_ID, timestamp: "1781438400" },
              { group_id: GROUP_ID, type: "group_participants_add", added_participants: "everyone" },
            ],
          },
        },
        { field: "group_status_update", value: { metadata } },
      ]),
    );
    expect(parsed.untyped.map(({ field, reason, detail }) => [field, reason, detail])).toEqual([
      ["group_participants_update", "missing_id", `${where}.groups[0]`],
      ["group_participants_update", "missing_event", `${where}.groups[1]`],
      ["group_participants_update", "wrong_type", `${where}.groups[2].added_participants`],
      ["group_status_update", "missing_items", "entry[0].changes[1].value.groups"],
    ]);
    expect(parsed.businessEvents).toHaveLength(2);
  });
});
