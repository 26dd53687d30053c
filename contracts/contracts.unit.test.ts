import { readdirSync } from "node:fs";
import path from "node:path";
import { Type } from "avsc";
import { readFileSync } from "node:fs";
import { parseDelivery, type ParsedDelivery } from "../ingress/domain/delivery-parser";
import { recordsByTopic } from "../ingress/domain/delivery-topics";
import {
  envelope,
  inboundDelivery,
  inboundMessageBodies,
  otherFieldChanges,
  pricing,
  conversation,
  statusDelivery,
  statusObject,
  failedStatusErrors,
  wamid,
} from "../tests/fixtures/meta-webhooks";
import {
  CUSTOMER_BSUID,
  CUSTOMER_PARENT_BSUID,
  CUSTOMER_USERNAME,
  bothIdentifiersTextMessage,
  bsuidOnlyTextMessage,
  editMessage,
  phoneOnlyTextMessage,
  revokeMessage,
  statusWithUserId,
  unknownValueField,
  untypedObjects,
  userChangedNumber,
  userChangedUserId,
} from "../tests/fixtures/identity-webhooks";
import * as businessHealth from "../tests/fixtures/business-health-webhooks";
import {
  calls,
  customerChannelDeliveries,
  customerChannelEventCounts,
  groupMessage,
  groupStatuses,
} from "../tests/fixtures/customer-channel-webhooks";
import { parsedBody } from "../tests/fixtures/inbound-events";
import { schemaDirectory } from "./schema-files";
import { renderContractTypes } from "./type-generator";
import { topicContracts, topicIds, topicSchema, type TopicId } from "./topics";

describe("contracts", () => {
  it("has a namespace on every schema and a doc on every field, nested records included", () => {
    const undocumented: string[] = [];
    const visit = (type: unknown, where: string): void => {
      if (Array.isArray(type)) return type.forEach((t) => visit(t, where));
      if (typeof type !== "object" || type === null) return;
      const record = type as {
        type: string;
        name?: string;
        fields?: { name: string; doc?: string; type: unknown }[];
        items?: unknown;
      };
      if (record.type === "array") return visit(record.items, where);
      for (const field of record.fields ?? []) {
        if (!field.doc) undocumented.push(`${where}.${field.name}`);
        visit(field.type, `${where}.${field.name}`);
      }
    };
    for (const topic of topicIds) {
      const schema = topicSchema(topic);
      expect(schema.namespace).toMatch(/^io\.whatsappevents\./);
      visit(schema, topicContracts[topic].name);
    }
    expect(undocumented).toEqual([]);
  });

  it("keeps contracts/generated/types.ts in step with the schemas (npm run contracts:types)", () => {
    const committed = readFileSync(path.join(__dirname, "generated", "types.ts"), "utf8");
    const fresh = renderContractTypes(topicIds.map(topicSchema));
    // Prettier only re-wraps; compare without whitespace.
    expect(committed.replace(/\s+/g, "")).toBe(fresh.replace(/\s+/g, ""));
  });

  describe.each(topicIds)("%s stays BACKWARD_TRANSITIVE compatible", (topic) => {
    const name = topicContracts[topic].name;
    const publishedDirectory = path.join(schemaDirectory, "published", name);
    const published = readdirSync(publishedDirectory).filter((file) => file.endsWith(".avsc"));
    it.each(published)("reads data written with published version %s", (file) => {
      const writer = Type.forSchema(JSON.parse(readFileSync(path.join(publishedDirectory, file), "utf8")));
      const reader = Type.forSchema(topicSchema(topic) as never);
      expect(() => reader.createResolver(writer)).not.toThrow();
    });
  });

  it("would refuse an incompatible change (a new field without a default)", () => {
    const current = topicSchema("messageStatus") as unknown as { fields: unknown[] };
    const broken = {
      ...current,
      fields: [...current.fields, { name: "mandatoryNewField", type: "string", doc: "x" }],
    };
    const reader = Type.forSchema(broken as never);
    expect(() => reader.createResolver(Type.forSchema(current as never))).toThrow();
  });

  it("encodes every event the parser derives from Meta-shaped fixtures", () => {
    const deliveries = [
      statusDelivery([
        statusObject(wamid(), "sent", 1750263773, { conversation, pricing, biz_opaque_callback_data: "x" }),
        statusObject(wamid(), "failed", 1750263774, { errors: failedStatusErrors }),
      ]),
      ...Object.values(inboundMessageBodies).map((body) =>
        inboundDelivery({ id: wamid(), timestamp: "1750263780", ...body }),
      ),
      envelope(otherFieldChanges),
    ];
    const types = Object.fromEntries(
      topicIds.map((topic) => [topic, Type.forSchema(topicSchema(topic) as never)]),
    );
    let encoded = 0;
    for (const payload of deliveries) {
      const parsed = parsedBody(payload, 1);
      const checks = recordsByTopic(parsed).flatMap(({ topic, records }) =>
        records.map((record): [TopicId, unknown] => [topic, record.value]),
      );
      for (const [topic, value] of checks) {
        const errors: string[] = [];
        types[topic]!.isValid(value, { errorHook: (pathParts) => errors.push(pathParts.join(".")) });
        expect({ topic, errors }).toEqual({ topic, errors: [] });
        encoded++;
      }
    }
    expect(encoded).toBeGreaterThan(25);
  });

  it("encodes every template and account event the parser derives from the fixtures, a 2^64 id included", () => {
    const { fieldDelivery, withTemplateIdDigits, LARGE_TEMPLATE_ID, untypeableChanges, ...variants } =
      businessHealth;
    const changes = Object.values(variants).flatMap((group) => Object.values(group));
    const deliveries = [
      ...changes.map((change) => parsedBody(fieldDelivery(change))),
      parseDelivery({
        requestId: "raw-large-id",
        receivedAt: 1,
        body: withTemplateIdDigits(businessHealth.templateStatus.rejected, LARGE_TEMPLATE_ID),
        signatureHeader: "sha256=00",
        contentType: null,
      }),
    ];
    const written = { templateEvent: 0, accountEvent: 0 };
    for (const topic of ["templateEvent", "accountEvent"] as const) {
      const type = Type.forSchema(topicSchema(topic) as never);
      for (const delivery of deliveries) {
        for (const { records } of recordsByTopic(delivery).filter((group) => group.topic === topic)) {
          for (const { value } of records) {
            const errors: string[] = [];
            type.isValid(value, { errorHook: (pathParts) => errors.push(pathParts.join(".")) });
            expect({ topic, errors }).toEqual({ topic, errors: [] });
            expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
            written[topic]++;
          }
        }
      }
    }
    expect(untypeableChanges.length).toBeGreaterThan(0);
    expect(written).toEqual({ templateEvent: 10, accountEvent: 12 });
  });

  it("encodes every customer-channel event the parser derives from the fixtures, and reads it back", () => {
    const topics = Object.keys(customerChannelEventCounts) as TopicId[];
    const written = Object.fromEntries(topics.map((topic) => [topic, 0]));
    for (const body of Object.values(customerChannelDeliveries)) {
      for (const { topic, records } of recordsByTopic(parsedBody(body))) {
        if (!topics.includes(topic)) continue;
        const type = Type.forSchema(topicSchema(topic) as never);
        for (const { value } of records) {
          const errors: string[] = [];
          type.isValid(value, { errorHook: (pathParts) => errors.push(pathParts.join(".")) });
          expect({ topic, errors }).toEqual({ topic, errors: [] });
          expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
          written[topic]!++;
        }
      }
    }
    expect(written).toEqual(customerChannelEventCounts);
  });

  describe("records the current parser writes, read with every published version", () => {
    const parse = (payload: unknown): ParsedDelivery => parsedBody(payload, 1750263780000);
    const bsuidOnly = parse(
      bsuidOnlyTextMessage({ id: wamid("contract-bsuid"), parentUserId: CUSTOMER_PARENT_BSUID }),
    );
    const userIdOnlyStatus = parse(statusWithUserId({ wamid: wamid("contract-status"), recipientId: null }));
    const withUntyped = parse(untypedObjects());
    const deliveries = [
      bsuidOnly,
      userIdOnlyStatus,
      withUntyped,
      parse(bothIdentifiersTextMessage({ username: CUSTOMER_USERNAME })),
      parse(phoneOnlyTextMessage()),
      parse(statusWithUserId({ status: "read", parentUserId: CUSTOMER_PARENT_BSUID })),
      parse(statusWithUserId({ status: "failed", userId: null, extra: { errors: failedStatusErrors } })),
      parse(userChangedNumber()),
      parse(userChangedUserId({ fromUserId: CUSTOMER_BSUID })),
      parse(editMessage({ media: { type: "image", caption: "Updated image caption" } })),
      parse(revokeMessage()),
      parse(unknownValueField()),
      parse(businessHealth.fieldDelivery(businessHealth.templateStatus.rejected)),
      parse(businessHealth.fieldDelivery(businessHealth.templateQuality.dropped)),
      parse(businessHealth.fieldDelivery(businessHealth.templateComponents.edited)),
      parse(groupStatuses),
      parse(groupMessage),
    ];
    const publishedVersions = (topic: TopicId) => {
      const directory = path.join(schemaDirectory, "published", topicContracts[topic].name);
      return readdirSync(directory)
        .filter((file) => file.endsWith(".avsc"))
        .map((file) => ({
          version: Number(path.basename(file, ".avsc")),
          schema: JSON.parse(readFileSync(path.join(directory, file), "utf8")) as {
            fields: { name: string }[];
          },
        }))
        .sort((a, b) => a.version - b.version);
    };
    const evolvedTopics = topicIds.filter((topic) => publishedVersions(topic).length > 1);
    const written = (topic: TopicId) =>
      deliveries.flatMap((delivery) =>
        recordsByTopic(delivery)
          .filter((group) => group.topic === topic)
          .flatMap(({ records }) => records.map((record) => record.value as Record<string, unknown>)),
      );
    /** Encoded with the current schema, decoded with `version` as the reader's schema. */
    const readAs = (topic: TopicId, version: number, value: Record<string, unknown>) => {
      const writer = Type.forSchema(topicSchema(topic) as never);
      const reader = Type.forSchema(
        publishedVersions(topic).find((v) => v.version === version)!.schema as never,
      );
      return reader.fromBuffer(writer.toBuffer(value), reader.createResolver(writer)) as Record<
        string,
        unknown
      >;
    };

    it("covers the topics whose schema has changed, each with records", () => {
      expect(evolvedTopics).toEqual(["rawWebhook", "messageStatus", "inboundMessage", "templateEvent"]);
      for (const topic of evolvedTopics) expect(written(topic).length).toBeGreaterThanOrEqual(3);
    });

    it.each(evolvedTopics)(
      "%s: every published version reads the same values for its own fields",
      (topic) => {
        const values = written(topic);
        for (const { version, schema } of publishedVersions(topic)) {
          const fields = schema.fields.map((field) => field.name);
          for (const value of values) {
            const decoded = readAs(topic, version, value);
            expect({ version, fields: Object.keys(decoded) }).toEqual({ version, fields });
            expect({ version, decoded: { ...decoded } }).toEqual({
              version,
              decoded: Object.fromEntries(fields.map((name) => [name, value[name]])),
            });
          }
        }
      },
    );

    it("gives a version-1 reader the BSUID in from for a message without a phone number", () => {
      const message = bsuidOnly.inboundMessages[0]!.value as unknown as Record<string, unknown>;
      const v1 = readAs("inboundMessage", 1, message);
      expect(v1).toMatchObject({ from: CUSTOMER_BSUID, wamid: message.wamid, type: "text" });
      expect(v1).not.toHaveProperty("fromUserId");
      expect(readAs("inboundMessage", 2, message)).toMatchObject({
        from: CUSTOMER_BSUID,
        fromWaId: null,
        fromUserId: CUSTOMER_BSUID,
        fromParentUserId: CUSTOMER_PARENT_BSUID,
      });
    });

    it("gives a version-2 reader a call permission reply as an interactive reply without the new part", () => {
      const reply = parse(calls.permissionReply).inboundMessages[0]!.value as unknown as Record<
        string,
        unknown
      >;
      const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
      expect(plain(readAs("inboundMessage", 2, reply).interactive)).toEqual({
        type: "call_permission_reply",
        buttonReply: null,
        listReply: null,
        nfmReply: null,
      });
      expect(plain(readAs("inboundMessage", 3, reply).interactive)).toEqual(plain(reply.interactive));
    });

    it("gives a version-1 reader a status with only recipient_user_id, recipientId null", () => {
      const status = userIdOnlyStatus.statuses[0]!.value as unknown as Record<string, unknown>;
      expect(readAs("messageStatus", 1, status)).toMatchObject({ wamid: status.wamid, recipientId: null });
      expect(readAs("messageStatus", 1, status)).not.toHaveProperty("recipientUserId");
      expect(readAs("messageStatus", 2, status)).toMatchObject({ recipientUserId: CUSTOMER_BSUID });
    });

    it("gives a version-1 reader a raw record with untyped objects, their names in problem", () => {
      const raw = withUntyped.raw.value as unknown as Record<string, unknown>;
      expect(raw.untypedCount).toBe(3);
      const v1 = readAs("rawWebhook", 1, raw);
      expect(v1).toMatchObject({ problem: raw.problem, inboundCount: 2, businessEventCount: 1 });
      expect(v1.problem).toMatch(/^3 object\(s\) became no typed event: .*missing_id/);
      expect(v1).not.toHaveProperty("untypedCount");
      expect(readAs("rawWebhook", 2, raw)).toMatchObject({ untypedCount: 3 });
    });
  });
});
