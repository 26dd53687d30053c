import { MongoClient } from "mongodb";
import type { MessageStatusEvent } from "../../contracts/generated/types";
import type { Projection } from "../../projector/framework/projection";
import { startProjector, type RunningProjector } from "../../projector/framework/projector-service";
import { rebuildProjection } from "../../projector/framework/rebuild";
import { statusProjection } from "../../projector/projections/status/projection";
import {
  evolveMessageStatus,
  type MessageStatusDocument,
} from "../../projector/projections/status/status-timeline";
import { createLogger } from "../../runtime/logger";
import { statusEvent } from "../fixtures/status-events";
import { eventually, EventProducer } from "../support/event-producer";
import { testProjectorSettings } from "../support/projectors";

// The rebuild mode against the real stack, beside a live projector that keeps applying.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const prefix = `${process.env.TOPIC_PREFIX}rebuild.`;
const database = `whatsapp_test_${run}_rebuild`;
const settings = testProjectorSettings(prefix, database);
let live: RunningProjector | undefined;

afterAll(async () => {
  await live?.stop();
  await mongo.close();
});

const lifecycle = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i).flatMap((m) => [
    statusEvent(`wamid.rebuild-${m}`, "sent", 1000 + m),
    statusEvent(`wamid.rebuild-${m}`, "delivered", 2000 + m),
    statusEvent(`wamid.rebuild-${m}`, "read", 3000 + m),
  ]);
const withoutRevision = ({ revision: _r, ...rest }: MessageStatusDocument & { revision?: number }) => rest;

it("rebuilds message_statuses from the topic while the live projector runs, and both go on converging", async () => {
  const producer = new EventProducer(prefix);
  await producer.connect(["messageStatus"]);
  const send = (events: MessageStatusEvent[]) =>
    producer.send(
      "messageStatus",
      events.map((e) => ({ key: e.wamid, value: e })),
    );
  const statuses = mongo
    .db(database)
    .collection<MessageStatusDocument & { revision: number }>("message_statuses");
  const before = lifecycle(0, 100);
  await send(before);
  live = await startProjector(
    [statusProjection as Projection<never>],
    settings,
    createLogger("test", "silent"),
  );
  await eventually(
    () => statuses.countDocuments({ status: "read" }),
    (count) => count === 100,
  );
  // A document the live projector wrote and remembers is changed behind its back, as a bad deploy might.
  await statuses.updateOne({ _id: "wamid.rebuild-0" }, { $set: { status: "corrupted" } });

  const lines: string[] = [];
  const during = send(lifecycle(100, 200));
  await rebuildProjection(statusProjection, settings, createLogger("test", "silent"), (line) =>
    lines.push(line),
  );
  await during;
  const after = lifecycle(200, 250);
  await send(after);

  const expected = new Map<string, MessageStatusDocument>();
  for (const event of [...before, ...lifecycle(100, 200), ...after])
    expected.set(event.wamid, evolveMessageStatus(expected.get(event.wamid) ?? null, event));
  const stored = await eventually(
    () => statuses.find({}).toArray(),
    (docs) => docs.length === 250 && docs.every((d) => d.timeline.length === 3),
  );
  for (const doc of stored) expect(withoutRevision(doc)).toEqual(withoutRevision(expected.get(doc._id)!));
  // Rebuilt documents' revisions start far above any the live projector remembers.
  expect((await statuses.findOne({ _id: "wamid.rebuild-0" }))!.revision).toBeGreaterThan(1e12);
  const collections = (await mongo.db(database).listCollections({}, { nameOnly: true }).toArray()).map(
    (c) => c.name,
  );
  expect(collections.filter((name) => name.includes("_rebuild_"))).toEqual([]);
  expect(lines.at(-1)).toMatch(/^done in .* rebuilt from .*whatsapp\.message\.status\.v1/);
  await producer.disconnect();
}, 120_000);
