import { MongoClient } from "mongodb";
import { applyStatusEvents, messageStatuses } from "../../projector/status/status-store";
import { statusEvent } from "../fixtures/status-events";

// The read-model writes against the real MongoDB-wire server, the way a projector catching up sends them:
// every partition's batch at once, nearly all of them updates of documents already there.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);

afterAll(async () => {
  await mongo.db(`whatsapp_test_${run}_concurrent_updates`).dropDatabase();
  await mongo.close();
});

it("applies three partitions' batches of updates at once without exhausting the server's connections", async () => {
  // FerretDB 1.24 holds a PostgreSQL connection for every update of a command until the command ends,
  // and each update needs one more: 3 batches x 8 commands x 25 updates in flight deadlocked its pool
  // (every client, even ping, then waited forever).
  const statuses = messageStatuses(mongo.db(`whatsapp_test_${run}_concurrent_updates`));
  const partitions = [0, 1, 2].map((p) => Array.from({ length: 500 }, (_, i) => `wamid.catch-up-${p}-${i}`));
  await Promise.all(
    partitions.map((wamids) =>
      applyStatusEvents(
        statuses,
        wamids.map((w) => statusEvent(w, "sent", 1000)),
      ),
    ),
  );

  const outcomes = await Promise.all(
    partitions.map((wamids) =>
      applyStatusEvents(
        statuses,
        wamids.map((w) => statusEvent(w, "delivered", 1001)),
      ),
    ),
  );

  expect(outcomes).toEqual([0, 1, 2].map(() => ({ applied: 500, duplicates: 0 })));
  expect(await statuses.countDocuments({ status: "delivered" })).toBe(1500);
}, 60_000);
