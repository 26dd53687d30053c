import { ALICE, BOB, CAROL, groupStatus } from "../../../tests/fixtures/group-events";
import { statusEvent } from "../../../tests/fixtures/status-events";
import { expectProjectionLaws } from "../../../tests/support/projection-laws";
import { statusProjection } from "./projection";

const first = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUY=";
const second = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQkNERUZ=";
const pricing = { billable: true, model: "PMP", category: "utility", type: "regular" };

it("passes the projection laws: any order, any batching, duplicates and a replay give the same documents", async () => {
  const events = [
    statusEvent(first, "sent", 100, { pricing, bizOpaqueCallbackData: "order-17" }),
    statusEvent(first, "delivered", 101),
    statusEvent(first, "read", 105, { recipientUserId: "US.13491208655302741918" }),
    statusEvent(second, "sent", 102),
    statusEvent(second, "failed", 103, {
      errors: [{ code: 131026, title: "Message undeliverable", message: null, details: null, href: null }],
    }),
    statusEvent(second, "delivered", 104),
  ];
  await expectProjectionLaws(statusProjection, events, { label: (e) => `${e.wamid.slice(-2)}:${e.status}` });
});

it("passes the projection laws over a group message's statuses: three participants in one second, one read later", async () => {
  const group = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJHUk9VUA==";
  const events = [
    groupStatus(group, "delivered", 100, ALICE),
    groupStatus(group, "delivered", 100, BOB),
    groupStatus(group, "delivered", 100, CAROL),
    groupStatus(group, "read", 100, CAROL),
    groupStatus(group, "read", 103, ALICE),
    statusEvent(first, "sent", 100),
  ];
  await expectProjectionLaws(statusProjection, events, {
    label: (e) => `${e.status}:${e.recipientParticipantId ?? "1:1"}`,
  });
});
