import { MongoClient } from "mongodb";
import type { Projection } from "../../projector/framework/projection";
import type { CallDocument } from "../../projector/projections/calls/call-document";
import { callsProjection } from "../../projector/projections/calls/projection";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import type { PaymentDocument } from "../../projector/projections/payments/payment-document";
import { paymentsProjection } from "../../projector/projections/payments/projection";
import {
  CALL_ID,
  callConnect,
  callEvent,
  callRecording,
  callStatus,
  callTerminate,
} from "../fixtures/call-events";
import { bothIdentifiersTextMessage, CUSTOMER_BSUID } from "../fixtures/identity-webhooks";
import { inboundEventsOf } from "../fixtures/inbound-events";
import { CUSTOMER_WA_ID, PHONE_NUMBER_ID } from "../fixtures/meta-webhooks";
import { paymentStatus, REFERENCE_ID, transaction } from "../fixtures/payment-events";
import { eventually, EventProducer } from "../support/event-producer";
import { TestProjectors } from "../support/projectors";

// Call events and payment statuses produced as Avro records to their topics, out of Meta's order and
// with redeliveries, and the calls and payments projections (in-process) on the real stack.
const run = process.env.TEST_RUN_ID!;
const prefix = `${process.env.TOPIC_PREFIX}calls-and-payments.`;
const database = `whatsapp_test_${run}_calls_and_payments`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const producer = new EventProducer(prefix);
const projectors = new TestProjectors();
const at = (seconds: number) => new Date(seconds * 1000);

/** The distinct events' ids in history order: Meta's time, then event id. */
const historyOrder = (events: readonly { eventId: string; timestamp: number }[]): string[] =>
  [...new Map(events.map((event) => [event.eventId, event])).values()]
    .sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1))
    .map((event) => event.eventId);

const userCall = "wacid.HBgLMTY1MDU1NTEyMzQVAgARGBJVU0VSQ0FMTAA";
/** A user-initiated call from a customer whose number Meta withheld. */
const fromBsuidOnly = {
  callId: userCall,
  direction: "USER_INITIATED",
  customerWaId: null,
  from: null,
  to: null,
};

beforeAll(async () => {
  await producer.connect(["callEvent", "paymentStatus", "inboundMessage"]);
});

afterAll(async () => {
  await projectors.stopAll();
  await producer.disconnect();
  await mongo.close();
});

it("folds call events and payment statuses that arrive out of order and twice into one document each", async () => {
  const terminate = callTerminate(225, { startSeconds: 105, endSeconds: 225 });
  // The terminate before the connect, a ringing stamped after the terminate, the terminate twice.
  const sentCalls = [
    terminate,
    callStatus("RINGING", 226),
    callRecording(230),
    callConnect(105),
    terminate,
    callStatus("ACCEPTED", 105),
    callStatus("RINGING", 100),
    callTerminate(360, null, fromBsuidOnly),
    callEvent("connect", 300, { ...fromBsuidOnly, sdpType: "offer" }),
  ];
  await producer.send(
    "callEvent",
    sentCalls.map((event) => ({ key: event.callId, value: event })),
  );
  const captured = paymentStatus("captured", 160, transaction("success", "txn-2202"));
  // The capture first and again; a pending of the capture's second.
  const sentPayments = [
    captured,
    paymentStatus("pending", 130, transaction("failed")),
    paymentStatus("pending", 160, transaction("pending", "txn-2202")),
    paymentStatus("pending", 100, transaction("pending")),
    captured,
  ];
  await producer.send(
    "paymentStatus",
    sentPayments.map((event) => ({ key: `${event.phoneNumberId}:${event.referenceId}`, value: event })),
  );
  await projectors.start([callsProjection, paymentsProjection] as Projection<never>[], prefix, database);

  const db = mongo.db(database);
  const calls = db.collection<CallDocument>("calls");
  const call = await eventually(
    () => calls.findOne({ _id: CALL_ID }),
    (document) => document?.events.length === 6,
    60_000,
  );
  expect(call).toMatchObject({
    direction: "BUSINESS_INITIATED",
    status: "COMPLETED",
    terminationStatus: "COMPLETED",
    connectedAt: at(105),
    startTime: at(105),
    endTime: at(225),
    durationSeconds: 120,
    startedAt: at(100),
    lastEventAt: at(230),
    waId: CUSTOMER_WA_ID,
    userId: CUSTOMER_BSUID,
    profileName: "Sheena Nelson",
    customerIds: [`${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`, `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`],
    recording: { mimeType: "audio/ogg", availableAt: at(230) },
    transcript: null,
  });
  expect(call!.events.map((event) => event.at.getTime() / 1000)).toEqual([100, 105, 105, 225, 226, 230]);
  expect(call!.events.map((event) => event.eventId)).toEqual(
    historyOrder(sentCalls.filter((event) => event.callId === CALL_ID)),
  );
  const user = await eventually(
    () => calls.findOne({ _id: userCall }),
    (document) => document?.events.length === 2,
    60_000,
  );
  expect(user).toMatchObject({
    direction: "USER_INITIATED",
    status: "FAILED",
    connectedAt: at(300),
    durationSeconds: null,
    waId: null,
    customerIds: [`${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`],
  });
  // The two indexed queries of docs/read-models.md.
  const newestFirst = await calls.find({ phoneNumberId: PHONE_NUMBER_ID }).sort({ startedAt: -1 }).toArray();
  expect(newestFirst.map((document) => document._id)).toEqual([userCall, CALL_ID]);
  const byBsuid = await calls.find({ customerIds: `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}` }).toArray();
  expect(byBsuid.map((document) => document._id).sort()).toEqual([CALL_ID, userCall].sort());

  const payments = db.collection<PaymentDocument>("payments");
  const payment = await eventually(
    () => payments.findOne({ _id: `${PHONE_NUMBER_ID}:${REFERENCE_ID}` }),
    (document) => document?.history.length === 4,
    60_000,
  );
  expect(payment).toMatchObject({
    phoneNumberId: PHONE_NUMBER_ID,
    recipientId: CUSTOMER_WA_ID,
    amount: { value: 21000, offset: 100 },
    currency: "INR",
    status: "captured",
    transaction: { id: "txn-2202", status: "success", type: "razorpay", methodType: "upi", error: null },
    updatedAt: at(160),
  });
  expect(payment!.history.map((entry) => entry.at.getTime() / 1000)).toEqual([100, 130, 160, 160]);
  expect(payment!.history.map((entry) => entry.eventId)).toEqual(historyOrder(sentPayments));
});

it("finds the customer's conversation in one read by a call's customer ids, a pointer included", async () => {
  // The two calls of the test above, and the conversation projection beside the calls projection.
  // One message with both ids: the conversation is `<phoneNumberId>:<waId>`, the BSUID id points at it.
  const messages = inboundEventsOf(bothIdentifiersTextMessage({ timestamp: 90 }));
  await producer.send(
    "inboundMessage",
    messages.map((event) => ({ key: `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`, value: event })),
  );
  await projectors.start(conversationProjection, prefix, database);

  const db = mongo.db(database);
  const conversationId = `${PHONE_NUMBER_ID}:${CUSTOMER_WA_ID}`;
  const conversations = db.collection<{ _id: string; mergedInto?: string }>("conversations");
  await eventually(
    () =>
      conversations.countDocuments({
        _id: { $in: [conversationId, `${PHONE_NUMBER_ID}:${CUSTOMER_BSUID}`] },
      }),
    (count) => count === 2,
    60_000,
  );
  for (const callId of [CALL_ID, userCall]) {
    const call = (await db.collection<CallDocument>("calls").findOne({ _id: callId }))!;
    const found = await conversations.find({ _id: { $in: call.customerIds } }).toArray();
    expect({
      callId,
      leadsTo: [...new Set(found.map((document) => document.mergedInto ?? document._id))],
    }).toEqual({
      callId,
      leadsTo: [conversationId],
    });
  }
});
