import { MongoClient } from "mongodb";

// Test databases are left in place, never dropped: dropping a database under FerretDB 1.24 (SQLite)
// while its pool still maps the file crashed the server (SIGBUS in the WAL) here.
// Proof that the stack's MongoDB-wire server (MongoDB, or FerretDB natively) answers the official driver.
describe("MongoDB-wire server", () => {
  const client = new MongoClient(process.env.MONGODB_URI!, { serverSelectionTimeoutMS: 10_000 });
  afterAll(async () => {
    await client.close();
  });

  it("writes a document and reads it back with the official driver", async () => {
    const probes = client
      .db(process.env.MONGODB_DB)
      .collection<{ _id: string; at: Date; tags: string[] }>("stack_probe");
    const at = new Date("2026-11-23T10:00:00.000Z");
    await probes.insertOne({ _id: "probe-1", at, tags: ["a"] });
    await probes.updateOne({ _id: "probe-1" }, { $addToSet: { tags: "b" } });
    expect(await probes.findOne({ _id: "probe-1" })).toEqual({ _id: "probe-1", at, tags: ["a", "b"] });
  });
});
