import type { KafkaMessage, Producer } from "kafkajs";
import { Registry } from "prom-client";
import type { ContractSerde } from "../../contracts/serde";
import { createLogger } from "../../runtime/logger";
import { createBatchHandler, type ReadModelTarget } from "./batch-handler";
import { WriteRefusedError } from "./errors";
import type { Projection } from "./projection";
import { createProjectorMetrics } from "./projector-metrics";

interface Event {
  id: string;
}

const record = (offset: number, value: string | null, ageMs = 0): KafkaMessage =>
  ({
    offset: String(offset),
    key: Buffer.from(`key-${offset}`),
    value: value === null ? null : Buffer.from(value),
    timestamp: String(Date.now() - ageMs),
    headers: {},
    attributes: 0,
  }) as KafkaMessage;

/** Values are JSON here; "not json" cannot be decoded, `{}` is decoded but has no id. */
const serde = {
  decode: async (value: Buffer) => JSON.parse(value.toString()) as unknown,
  encode: async (_topic: string, letter: unknown) => Buffer.from(JSON.stringify(letter)),
  topic: (topic: string) => `test.${topic}`,
} as unknown as ContractSerde;

const projection: Projection<Event> = {
  name: "test",
  topics: ["messageStatus"],
  // Records of another kind on the same topic are not this projection's.
  canHandle: (decoded) => (decoded as { kind?: string }).kind !== "other",
  validate: (decoded) => ((decoded as Event).id ? (decoded as Event) : "field id is missing or empty"),
  readModels: [],
};

function handlerWith(readModels: ReadModelTarget<Event>, handled: Projection<Event> = projection) {
  const sent: { topic: string; messages: { key: unknown; value: Buffer }[] }[] = [];
  const registry = new Registry();
  const metrics = createProjectorMetrics(registry);
  const handle = createBatchHandler({
    projection: handled,
    readModels,
    serde,
    deadLetterProducer: {
      send: async (batch: (typeof sent)[number]) => sent.push(batch),
    } as unknown as Producer,
    consumerGroup: "group",
    metrics,
    logger: createLogger("test", "silent"),
  });
  return { handle, sent, registry };
}

const storeOf = (apply: ReadModelTarget<Event>["apply"]): ReadModelTarget<Event> => ({
  apply,
  target: () => ({ database: "db", collections: ["c"] }),
});

/** Read models that apply every event and keep each batch they were given in `applied`. */
const recordingStore = (applied: Event[][]) =>
  storeOf(async (events) => {
    applied.push([...events]);
    return { applied: events.length, duplicates: 0 };
  });

it("applies the valid records, dead-letters the others by kind, and commits past the last record", async () => {
  const applied: Event[][] = [];
  const { handle, sent, registry } = handlerWith(recordingStore(applied));

  const result = await handle({
    topic: "test.messageStatus",
    partition: 0,
    messages: [
      record(7, '{"id":"a"}'),
      record(8, "not json"),
      record(9, null),
      record(10, "{}"),
      record(11, '{"id":"b"}'),
    ],
  });

  expect(applied).toEqual([[{ id: "a" }, { id: "b" }]]);
  expect(result).toEqual({ applied: 2, duplicates: 0, skipped: 0, deadLettered: 3, nextOffset: "12" });
  const reasons = sent[0]!.messages.map((m) => (JSON.parse(m.value.toString()) as { reason: string }).reason);
  expect(reasons.map((r) => r.split(":")[0])).toEqual(["undecodable", "empty", "not_applicable"]);
  expect(reasons[2]).toBe("not_applicable: field id is missing or empty");
  const metrics = await registry.metrics();
  expect(metrics).toContain('whatsapp_projector_dead_lettered_total{projection="test",kind="undecodable"} 1');
  expect(metrics).toContain(
    'whatsapp_projector_dead_lettered_total{projection="test",kind="not_applicable"} 1',
  );
});

it("skips and counts the records the projection does not handle, commits past them, dead-letters none", async () => {
  const applied: Event[][] = [];
  const { handle, sent, registry } = handlerWith(recordingStore(applied));

  const result = await handle({
    topic: "test.messageStatus",
    partition: 0,
    messages: [
      record(3, '{"kind":"other","id":"x"}'),
      record(4, '{"id":"a"}'),
      record(5, '{"kind":"other"}'),
    ],
  });

  expect(applied).toEqual([[{ id: "a" }]]);
  expect(result).toEqual({ applied: 1, duplicates: 0, skipped: 2, deadLettered: 0, nextOffset: "6" });
  expect(sent).toEqual([]);
  expect(await registry.metrics()).toContain(
    'whatsapp_projector_records_skipped_total{projection="test",reason="not_handled"} 2',
  );
});

it("records each applied event's age from its record timestamp to the acknowledged write", async () => {
  const { handle, registry } = handlerWith(
    storeOf(async (events) => ({ applied: events.length, duplicates: 0 })),
  );

  await handle({
    topic: "test.messageStatus",
    partition: 0,
    messages: [record(1, '{"id":"a"}', 300), record(2, '{"id":"b"}', 3000)],
  });

  const metrics = await registry.metrics();
  expect(metrics).toContain('whatsapp_projector_event_age_seconds_count{projection="test"} 2');
  expect(metrics).toMatch(/whatsapp_projector_event_age_seconds_bucket\{le="0.2",projection="test"\} 0\n/);
  expect(metrics).toMatch(/whatsapp_projector_event_age_seconds_bucket\{le="0.4",projection="test"\} 1\n/);
  expect(metrics).toMatch(/whatsapp_projector_event_age_seconds_bucket\{le="5",projection="test"\} 2\n/);
});

it("lets a failing write fail the batch, so nothing is committed", async () => {
  const { handle } = handlerWith(
    storeOf(async () => {
      throw new Error("store away");
    }),
  );
  await expect(
    handle({ topic: "test.messageStatus", partition: 0, messages: [record(1, '{"id":"a"}')] }),
  ).rejects.toThrow("store away");
});

describe("records the store refuses for their content", () => {
  const refusal = (id: string) => new WriteRefusedError("c", 2, `refused ${id}`, false);
  /** Applies a batch unless it holds an event whose id starts with "bad": then refuses it whole. */
  const refusingStore = (seen: string[][], transientAfter = Infinity) =>
    storeOf(async (events) => {
      seen.push(events.map((e) => e.id));
      if (seen.length > transientAfter) throw new Error("connection lost");
      const bad = events.find((e) => e.id.startsWith("bad"));
      if (bad) throw refusal(bad.id);
      return { applied: events.length, duplicates: 0 };
    });
  const records = (ids: string[]) => ids.map((id, i) => record(i, JSON.stringify({ id })));

  it("narrows a refusal down by halves to the records that cause it, dead-letters them and applies the rest", async () => {
    const seen: string[][] = [];
    const { handle, sent } = handlerWith(refusingStore(seen));

    const result = await handle({
      topic: "test.messageStatus",
      partition: 0,
      messages: records(["a", "b", "bad1", "c", "d", "e", "bad2", "f"]),
    });

    expect(result).toMatchObject({ applied: 6, deadLettered: 2, nextOffset: "8" });
    const letters = sent[0]!.messages.map(
      (m) => JSON.parse(m.value.toString()) as { reason: string; sourceOffset: string },
    );
    expect(letters.map((l) => [l.sourceOffset, l.reason])).toEqual([
      ["2", "refused_by_store: c refused a write (code 2): refused bad1"],
      ["6", "refused_by_store: c refused a write (code 2): refused bad2"],
    ]);
    // Halves, not one record at a time: 8 records, two refused, in 11 calls (one per node of the halving).
    expect(seen).toHaveLength(11);
  });

  it("fails the whole slice when an error that may pass comes up while isolating", async () => {
    const { handle, sent } = handlerWith(refusingStore([], 2));
    await expect(
      handle({ topic: "test.messageStatus", partition: 0, messages: records(["a", "bad1", "b", "c"]) }),
    ).rejects.toThrow("connection lost");
    expect(sent).toEqual([]);
  });

  it("retries, never dead-letters, a slice whose every record is refused", async () => {
    const { handle, sent } = handlerWith(
      storeOf(async () => {
        throw refusal("all");
      }),
    );
    await expect(
      handle({ topic: "test.messageStatus", partition: 0, messages: records(["a", "b", "c"]) }),
    ).rejects.toThrow(/all 3 records of the slice refused/);
    expect(sent).toEqual([]);
  });
});

describe("a projection whose own code throws", () => {
  it("dead-letters a record its validate throws for as projection_failed, and applies the others", async () => {
    const applied: Event[][] = [];
    const throwing: Projection<Event> = {
      ...projection,
      validate: (decoded) => {
        if ((decoded as Event).id === "boom") throw new TypeError("cannot read that");
        return decoded as Event;
      },
    };
    const { handle, sent, registry } = handlerWith(recordingStore(applied), throwing);

    const result = await handle({
      topic: "test.messageStatus",
      partition: 0,
      messages: [record(1, '{"id":"a"}'), record(2, '{"id":"boom"}')],
    });

    expect(applied).toEqual([[{ id: "a" }]]);
    expect(result).toMatchObject({ applied: 1, deadLettered: 1 });
    const letter = JSON.parse(sent[0]!.messages[0]!.value.toString()) as { reason: string };
    expect(letter.reason).toBe("projection_failed: canHandle or validate threw: cannot read that");
    expect(await registry.metrics()).toContain(
      'whatsapp_projector_dead_lettered_total{projection="test",kind="projection_failed"} 1',
    );
  });
});

it("counts applied and duplicate events as the read models report them", async () => {
  const { handle, registry } = handlerWith(
    storeOf(async (events) => ({ applied: 1, duplicates: events.length - 1 })),
  );
  await handle({
    topic: "test.messageStatus",
    partition: 0,
    messages: [record(1, '{"id":"a"}'), record(2, '{"id":"a"}'), record(3, '{"id":"b"}')],
  });
  const metrics = await registry.metrics();
  expect(metrics).toContain('whatsapp_projector_events_applied_total{projection="test"} 1');
  expect(metrics).toContain('whatsapp_projector_duplicates_skipped_total{projection="test"} 2');
  expect(metrics).toContain('whatsapp_projector_batch_seconds_count{projection="test"} 1');
});

it("tells the projection which of its topics each record came from, and refuses a topic it does not read", async () => {
  const seen: string[] = [];
  const twoTopics: Projection<Event> = {
    ...projection,
    topics: ["messageStatus", "inboundMessage"],
    canHandle: (_decoded, topic) => topic !== "inboundMessage" || (seen.push("canHandle inbound"), true),
    validate: (decoded, topic) => (seen.push(`validate ${topic}`), decoded as Event),
  };
  const applied: Event[][] = [];
  const { handle } = handlerWith(recordingStore(applied), twoTopics);
  await handle({ topic: "test.inboundMessage", partition: 0, messages: [record(1, '{"id":"a"}')] });
  await handle({ topic: "test.messageStatus", partition: 0, messages: [record(1, '{"id":"b"}')] });
  expect(seen).toEqual(["canHandle inbound", "validate inboundMessage", "validate messageStatus"]);
  expect(applied).toEqual([[{ id: "a" }], [{ id: "b" }]]);
  await expect(
    handle({ topic: "test.templateEvent", partition: 0, messages: [record(1, '{"id":"c"}')] }),
  ).rejects.toThrow("does not read topic test.templateEvent");
});
