import { readSchemaFile, type AvroSchema } from "./schema-files";

/** The parts of a parsed webhook delivery; each goes to the one topic whose contract names it. */
export type DeliveryPart =
  | "raw"
  | "statuses"
  | "inboundMessages"
  | "businessEvents"
  | "templateEvents"
  | "accountEvents"
  | "businessAppMessages"
  | "callEvents"
  | "groupEvents"
  | "userPreferences"
  | "paymentStatuses";

/**
 * The topic catalogue: names, keys and schemas are a public contract for downstream teams
 * (contracts/asyncapi.yaml describes the same). Schemas are registered under TopicNameStrategy
 * subjects, `<topic>-value`. Every user of a topic reads it from here.
 */
export interface TopicContract {
  /** Topic name without the deployment's TOPIC_PREFIX. */
  readonly name: string;
  readonly schemaFile: string;
  readonly key: string;
  /** -1: kept forever (the raw topic is the event store). */
  readonly retentionMs: number;
  /** Largest record the topic accepts (max.message.bytes); the raw topic holds whole bodies of up to 3 MB. */
  readonly maxMessageBytes: number;
  /** The part of a parsed webhook delivery written here; null when the ingress does not write the topic. */
  readonly deliveryPart: DeliveryPart | null;
  /** The topic's value of the `topic` label on record counters: short and without the prefix. */
  readonly metricLabel: string;
}

const oneMebibyte = 1024 * 1024;

export const topicContracts = {
  rawWebhook: {
    name: "whatsapp.webhook.raw.v1",
    schemaFile: "whatsapp.webhook.raw.v1.avsc",
    key: "WABA id of the delivery's first entry; the request id when there is none",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "raw",
    metricLabel: "raw",
  },
  messageStatus: {
    name: "whatsapp.message.status.v1",
    schemaFile: "whatsapp.message.status.v1.avsc",
    key: "wamid of the outbound message",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "statuses",
    metricLabel: "status",
  },
  inboundMessage: {
    name: "whatsapp.message.inbound.v1",
    schemaFile: "whatsapp.message.inbound.v1.avsc",
    key: "<phone_number_id>:<fromUserId>, or <phone_number_id>:<from> when the message has no BSUID",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "inboundMessages",
    metricLabel: "inbound",
  },
  businessEvent: {
    name: "whatsapp.business.event.v1",
    schemaFile: "whatsapp.business.event.v1.avsc",
    key: "WABA id",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "businessEvents",
    metricLabel: "business",
  },
  templateEvent: {
    name: "whatsapp.template.event.v1",
    schemaFile: "whatsapp.template.event.v1.avsc",
    key: "template id (message_template_id, as decimal text)",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "templateEvents",
    metricLabel: "template",
  },
  accountEvent: {
    name: "whatsapp.account.event.v1",
    schemaFile: "whatsapp.account.event.v1.avsc",
    key: "WABA id",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "accountEvents",
    metricLabel: "account",
  },
  businessAppMessage: {
    name: "whatsapp.message.business-app.v1",
    schemaFile: "whatsapp.message.business-app.v1.avsc",
    key: "<phone_number_id>:<customerUserId>, or <phone_number_id>:<customerWaId> when the message has no BSUID",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "businessAppMessages",
    metricLabel: "business-app",
  },
  callEvent: {
    name: "whatsapp.call.event.v1",
    schemaFile: "whatsapp.call.event.v1.avsc",
    key: "call id (wacid)",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "callEvents",
    metricLabel: "call",
  },
  groupEvent: {
    name: "whatsapp.group.event.v1",
    schemaFile: "whatsapp.group.event.v1.avsc",
    key: "group id",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "groupEvents",
    metricLabel: "group",
  },
  userPreference: {
    name: "whatsapp.user.preference.v1",
    schemaFile: "whatsapp.user.preference.v1.avsc",
    key: "<phone_number_id>:<userId>, or <phone_number_id>:<waId> when the change has no BSUID",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "userPreferences",
    metricLabel: "preference",
  },
  paymentStatus: {
    name: "whatsapp.payment.status.v1",
    schemaFile: "whatsapp.payment.status.v1.avsc",
    key: "<phone_number_id>:<payment reference id> (payment.reference_id is unique only within one business)",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: "paymentStatuses",
    metricLabel: "payment",
  },
  deadLetter: {
    name: "whatsapp.deadletter.v1",
    schemaFile: "whatsapp.deadletter.v1.avsc",
    key: "the original record's key",
    retentionMs: -1,
    maxMessageBytes: 16 * oneMebibyte,
    deliveryPart: null,
    metricLabel: "deadletter",
  },
} as const satisfies Record<string, TopicContract>;

export type TopicId = keyof typeof topicContracts;

export const topicIds = Object.keys(topicContracts) as TopicId[];

export interface DeliveryTopic {
  readonly topic: TopicId;
  readonly part: DeliveryPart;
}

/** The topics the ingress writes a webhook delivery to, each with the part it takes, raw record first. */
export const deliveryTopics: readonly DeliveryTopic[] = topicIds.flatMap((topic) => {
  const part = topicContracts[topic].deliveryPart;
  return part === null ? [] : [{ topic, part }];
});

/** The topic's name in a deployment: TOPIC_PREFIX + contract name. */
export function topicName(topic: TopicId, prefix: string): string {
  return `${prefix}${topicContracts[topic].name}`;
}

/** TopicNameStrategy: the value schema's subject is `<topic>-value`. */
export function valueSubject(topic: TopicId, prefix: string): string {
  return `${topicName(topic, prefix)}-value`;
}

export function topicSchema(topic: TopicId): AvroSchema {
  return readSchemaFile(topicContracts[topic].schemaFile);
}
