import { CUSTOMER_BSUID, CUSTOMER_USERNAME } from "../../../tests/fixtures/identity-webhooks";
import { parsedBody } from "../../../tests/fixtures/inbound-events";
import {
  CUSTOMER_WA_ID,
  DISPLAY_PHONE_NUMBER,
  envelope,
  inboundDelivery,
  metadata,
  wamid,
} from "../../../tests/fixtures/meta-webhooks";
import { expectProjectionLaws, projected } from "../../../tests/support/projection-laws";
import type { ConversationEvent } from "./conversation-event";
import { groupsProjection } from "../groups/projection";
import { conversationProjection } from "./projection";

const T = 1750040000;
const at = (seconds: number) => new Date((T + seconds) * 1000);
const conversationId = `${metadata.phone_number_id}:${CUSTOMER_WA_ID}`;
const contacts = [
  {
    profile: { name: "Sheena Nelson", username: CUSTOMER_USERNAME },
    wa_id: CUSTOMER_WA_ID,
    user_id: CUSTOMER_BSUID,
  },
];

const ids = {
  inbound: wamid("channels-inbound"),
  permission: wamid("channels-permission"),
  echo: wamid("channels-echo"),
  echoEdit: wamid("channels-echo-edit"),
  echoRevoked: wamid("channels-echo-revoked"),
  echoRevoke: wamid("channels-echo-revoke"),
  historyIn: wamid("channels-history-in"),
  historyOut: wamid("channels-history-out"),
  placeholder: wamid("channels-placeholder"),
};

/** Every record of the channels' topics the ingress derives from a body, as the projection validates them. */
function eventsOf(body: unknown): ConversationEvent[] {
  const parsed = parsedBody(body);
  const records = [
    ...parsed.inboundMessages.map((r) => ["inboundMessage", r.value] as const),
    ...parsed.businessAppMessages.map((r) => ["businessAppMessage", r.value] as const),
    ...parsed.userPreferences.map((r) => ["userPreference", r.value] as const),
  ];
  if (records.length === 0) throw new Error(`no event derived: ${parsed.raw.value.problem}`);
  return records.map(([topic, value]) => {
    const event = conversationProjection.validate(value, topic);
    if (typeof event === "string") throw new Error(event);
    return event;
  });
}

const echoes = (messageEchoes: Record<string, unknown>[]) =>
  envelope([
    {
      field: "smb_message_echoes",
      value: { messaging_product: "whatsapp", metadata, contacts, message_echoes: messageEchoes },
    },
  ]);
const echo = (id: string, seconds: number, body: Record<string, unknown>) => ({
  from: DISPLAY_PHONE_NUMBER,
  to: CUSTOMER_WA_ID,
  to_user_id: CUSTOMER_BSUID,
  id,
  timestamp: String(T + seconds),
  ...body,
});
const history = (messages: Record<string, unknown>[], chunk: number) =>
  envelope([
    {
      field: "history",
      value: {
        messaging_product: "whatsapp",
        metadata,
        history: [
          {
            metadata: { phase: 1, chunk_order: chunk, progress: 40 },
            threads: [{ id: CUSTOMER_WA_ID, messages }],
          },
        ],
      },
    },
  ]);
const preference = (value: string, seconds: number) =>
  envelope([
    {
      field: "user_preferences",
      value: {
        messaging_product: "whatsapp",
        metadata,
        contacts,
        user_preferences: [
          {
            wa_id: CUSTOMER_WA_ID,
            user_id: CUSTOMER_BSUID,
            detail: `User requested to ${value} marketing messages`,
            category: "marketing_messages",
            value,
            timestamp: T + seconds,
          },
        ],
      },
    },
  ]);

const events = {
  inbound: eventsOf(
    inboundDelivery({ id: ids.inbound, timestamp: String(T + 100), type: "text", text: { body: "Hello" } }),
  ),
  permission: eventsOf(
    inboundDelivery({
      id: ids.permission,
      timestamp: String(T + 200),
      type: "interactive",
      context: { from: DISPLAY_PHONE_NUMBER, id: "wacid.permission-request" },
      interactive: {
        type: "call_permission_reply",
        call_permission_reply: {
          response: "accept",
          is_permanent: false,
          expiration_timestamp: String(T + 86400),
          response_source: "user_action",
        },
      },
    }),
  ),
  echo: eventsOf(echoes([echo(ids.echo, 300, { type: "text", text: { body: "Your order shipped" } })])),
  echoEdit: eventsOf(
    echoes([
      echo(ids.echoEdit, 310, {
        type: "edit",
        edit: {
          original_message_id: ids.echo,
          message: { type: "text", text: { body: "Your order shipped today" } },
        },
      }),
    ]),
  ),
  echoRevoked: eventsOf(echoes([echo(ids.echoRevoked, 320, { type: "text", text: { body: "Wrong chat" } })])),
  echoRevoke: eventsOf(
    echoes([echo(ids.echoRevoke, 330, { type: "revoke", revoke: { original_message_id: ids.echoRevoked } })]),
  ),
  history: eventsOf(
    history(
      [
        {
          from: CUSTOMER_WA_ID,
          id: ids.historyIn,
          timestamp: String(T - 5000),
          type: "text",
          text: { body: "Old question" },
          history_context: { status: "READ" },
        },
        {
          from: DISPLAY_PHONE_NUMBER,
          to: CUSTOMER_WA_ID,
          id: ids.historyOut,
          timestamp: String(T - 4000),
          type: "text",
          text: { body: "Old answer" },
          history_context: { status: "DELIVERED" },
        },
        {
          from: CUSTOMER_WA_ID,
          id: ids.placeholder,
          timestamp: String(T - 3000),
          type: "media_placeholder",
          history_context: { status: "READ" },
        },
      ],
      2,
    ),
  ),
  media: eventsOf(
    envelope([
      {
        field: "history",
        value: {
          messaging_product: "whatsapp",
          metadata,
          messages: [
            {
              from: CUSTOMER_WA_ID,
              id: ids.placeholder,
              timestamp: String(T - 3000),
              type: "image",
              image: { id: "media-1", mime_type: "image/jpeg", sha256: "abc" },
            },
          ],
        },
      },
    ]),
  ),
  stop: eventsOf(preference("stop", 400)),
  resume: eventsOf(preference("resume", 50)),
};
const all = Object.values(events).flat();
const label = (event: ConversationEvent) =>
  "message" in event
    ? `in ${event.message.wamid.slice(-6)}`
    : "businessAppMessage" in event
      ? `${event.businessAppMessage.source} ${event.businessAppMessage.wamid.slice(-6)}`
      : `pref ${event.preference.value}`;

describe("the conversation projection's customer channels", () => {
  it("derives one event per message, echo, history message and preference of the Meta-shaped bodies", () => {
    expect(all).toHaveLength(12);
  });

  it("passes the projection laws over inbound messages, echoes, history, media and preferences", async () => {
    await expectProjectionLaws<ConversationEvent>(conversationProjection, all, {
      label,
      sampledOrders: 40,
      seed: 5,
    });
  });

  it("keeps echoes and history out of the inbound count and the service window, and shows opt-out and call permission", async () => {
    const { conversations, inbound_messages, business_app_messages } = await projected(
      conversationProjection,
      [all],
    );
    expect(Object.keys(inbound_messages!).sort()).toEqual([ids.inbound, ids.permission].sort());
    expect(conversations![conversationId]).toMatchObject({
      messageCount: 2,
      lastMessageId: ids.permission,
      serviceWindowExpiresAt: new Date(at(200).getTime() + 24 * 3600 * 1000),
      lastOutboundMessageAt: at(320),
      marketingOptOut: { value: true, since: at(400) },
      callPermission: {
        response: "accept",
        permanent: false,
        expiresAt: at(86400),
        source: "user_action",
        messageId: ids.permission,
        requestId: "wacid.permission-request",
      },
      waId: CUSTOMER_WA_ID,
      userId: CUSTOMER_BSUID,
    });
    const messages = business_app_messages!;
    expect(Object.keys(messages).sort()).toEqual(
      [ids.echo, ids.echoRevoked, ids.historyIn, ids.historyOut, ids.placeholder].sort(),
    );
    for (const message of Object.values(messages)) expect(message.conversationId).toBe(conversationId);
    expect(messages[ids.echo]).toMatchObject({
      direction: "outbound",
      source: "echo",
      text: { body: "Your order shipped today" },
      editedAt: at(310),
    });
    expect(messages[ids.echoRevoked]).toMatchObject({ revokedAt: at(330), revokeId: ids.echoRevoke });
    expect(messages[ids.echoRevoked]).not.toHaveProperty("text");
    expect(messages[ids.historyIn]).toMatchObject({
      direction: "inbound",
      source: "history",
      history: { phase: 1, chunkOrder: 2, status: "READ" },
    });
    expect(messages[ids.historyOut]).toMatchObject({
      direction: "outbound",
      source: "history",
      timestamp: at(-4000),
    });
    expect(messages[ids.placeholder]).toMatchObject({
      type: "media_placeholder",
      media: { type: "image", content: { image: { id: "media-1", mime_type: "image/jpeg", sha256: "abc" } } },
    });
  });

  it("takes the latest marketing preference by Meta's time, whatever the order of arrival", async () => {
    for (const order of [
      [...events.stop, ...events.resume],
      [...events.resume, ...events.stop],
    ]) {
      const { conversations } = await projected(
        conversationProjection,
        order.map((event) => [event]),
      );
      expect(conversations![conversationId]).toMatchObject({
        marketingOptOut: { value: true, since: at(400) },
        messageCount: 0,
        lastMessageAt: null,
      });
    }
  });

  it("leaves group messages and other preference categories to others", () => {
    const group = parsedBody(
      inboundDelivery({
        id: wamid("group"),
        timestamp: String(T),
        type: "text",
        text: { body: "hi all" },
        group_id: "120363000000000001",
      }),
    ).inboundMessages[0]!.value;
    expect(group.groupId).toBe("120363000000000001");
    expect(conversationProjection.canHandle!(group, "inboundMessage")).toBe(false);
    const other = { ...(events.stop[0] as { preference: object }).preference, category: "other" };
    expect(conversationProjection.canHandle!(other, "userPreference")).toBe(false);
  });
});

it("takes a later media delivery without a time, and refuses any other Business-app message without one", () => {
  const media = (events.media[0] as { businessAppMessage: object }).businessAppMessage;
  const echoed = (events.echo[0] as { businessAppMessage: object }).businessAppMessage;
  expect(conversationProjection.validate({ ...media, timestamp: null }, "businessAppMessage")).toMatchObject({
    businessAppMessage: { source: "history_media", timestamp: null },
  });
  expect(conversationProjection.validate({ ...echoed, timestamp: null }, "businessAppMessage")).toBe(
    "timestamp is not a positive time",
  );
});

describe("copies of one Business-app message", () => {
  const copy = wamid("channels-copied");
  const placeholderOf = wamid("channels-two-media");
  const historyCopy = (progress: number, status: string) =>
    eventsOf(
      history(
        [
          {
            from: DISPLAY_PHONE_NUMBER,
            to: CUSTOMER_WA_ID,
            id: copy,
            timestamp: String(T + 500),
            type: "text",
            text: { body: "See you at 8" },
            history_context: { status },
          },
        ],
        progress,
      ),
    );
  const mediaOf = (mediaId: string) =>
    eventsOf(
      envelope([
        {
          field: "history",
          value: {
            messaging_product: "whatsapp",
            metadata,
            messages: [
              {
                from: CUSTOMER_WA_ID,
                id: placeholderOf,
                timestamp: String(T - 10),
                type: "image",
                image: { id: mediaId },
              },
            ],
          },
        },
      ]),
    );
  const copies = [
    ...eventsOf(echoes([echo(copy, 500, { type: "text", text: { body: "See you at 8" } })])),
    ...historyCopy(3, "DELIVERED"),
    ...historyCopy(4, "READ"),
    ...mediaOf("media-a"),
    ...mediaOf("media-b"),
  ];

  it("join into one document whatever their order: an echo and its import, a resent chunk, two media deliveries", async () => {
    await expectProjectionLaws<ConversationEvent>(conversationProjection, copies, { label });
    const { business_app_messages } = await projected(conversationProjection, [copies]);
    expect(business_app_messages![copy]).toMatchObject({
      source: "echo",
      history: { chunkOrder: 4, status: "READ" },
    });
    expect(business_app_messages![placeholderOf]!.media).toBeDefined();
  });
});

it("leaves no inbound message to neither projection: an empty group id is the conversation's", () => {
  const message = (events.inbound[0] as { message: object }).message;
  for (const groupId of [null, "", "120363000000000001"])
    expect([
      conversationProjection.canHandle!({ ...message, groupId }, "inboundMessage"),
      groupsProjection.canHandle!({ ...message, groupId }, "inboundMessage"),
    ]).toEqual(groupId ? [false, true] : [true, false]);
});
