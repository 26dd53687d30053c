import { readdirSync } from "node:fs";
import path from "node:path";
import { Type } from "avsc";
import { readFileSync } from "node:fs";
import { parseDelivery } from "../ingress/domain/delivery-parser";
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
      const parsed = parseDelivery({
        requestId: "r",
        receivedAt: 1,
        body: Buffer.from(JSON.stringify(payload)),
        signatureHeader: "sha256=00",
        contentType: "application/json",
      });
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
});
