import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection } from "mongodb";
import { ChunkedWriter } from "./chunked-writes";
import type { StoreProfile } from "./store-profile";

// What a bulk write's answer means, whichever server gave it: MongoDB answers every operation of an
// unordered command; FerretDB 1.24 stops an update command at its first refused update and answers
// for no other. Both answers are built here as driver 7.9 builds them, so neither server is needed.

const twoPerCommand: StoreProfile = {
  name: "mongodb",
  updatesPerCommand: 2,
  insertsPerCommand: 2,
  updatesInFlight: 4,
  concurrentCommands: 1,
  indexedInQueries: true,
  renameDropsTarget: true,
};

/** A read-model document as the writer replaces it. */
type Row = { _id: string; revision: number };

const replace = (id: string): AnyBulkWriteOperation<Row> => ({
  replaceOne: { filter: { _id: id, revision: 1 }, replacement: { revision: 2 }, upsert: true },
});

/** A command's answer: the first operation refused as a duplicate `_id`, `matched` of the others answered. */
const refusingFirst = (matched: number) =>
  new MongoBulkWriteError(
    {
      message: "E11000 duplicate key",
      code: 11000,
      writeErrors: [{ index: 0, code: 11000, errmsg: "E11000 duplicate key" }],
    } as never,
    { insertedCount: 0, upsertedCount: 0, modifiedCount: matched, matchedCount: matched } as never,
  );

/** A collection whose bulk writes answer commands in turn with `answers` (a throw, or every operation matched). */
function collectionAnswering(answers: (MongoBulkWriteError | "all")[]): Collection<Row> {
  let command = 0;
  return {
    bulkWrite: (operations: unknown[]) => {
      const answer = answers[command++];
      if (answer && answer !== "all") return Promise.reject(answer);
      const n = operations.length;
      return Promise.resolve({ insertedCount: 0, upsertedCount: 0, modifiedCount: n, matchedCount: n });
    },
  } as unknown as Collection<Row>;
}

const operations = ["a", "b", "c", "d"].map(replace);

it("takes a command answered for every operation as answered, its refusal at its place in the whole list", async () => {
  // Second command (c, d): c refused, d matched, as MongoDB answers an unordered command.
  const result = await new ChunkedWriter(twoPerCommand).write(
    collectionAnswering(["all", refusingFirst(1)]),
    operations,
  );

  expect(result.writeErrors).toEqual([{ index: 2, code: 11000, message: "E11000 duplicate key" }]);
  expect(result.unanswered).toEqual([]);
  expect(result.modifiedCount).toBe(3);
});

it("takes every operation of a command answered only in part as unanswered, so each is read and decided again", async () => {
  // Second command (c, d): c refused and d neither written nor answered for, as FerretDB 1.24 answers.
  const result = await new ChunkedWriter(twoPerCommand).write(
    collectionAnswering(["all", refusingFirst(0)]),
    operations,
  );

  expect(result.writeErrors.map((e) => e.index)).toEqual([2]);
  expect(result.unanswered).toEqual([2, 3]);
});
