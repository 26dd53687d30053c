import { MongoClient } from "mongodb";
import { collectionsOf } from "../../projector/framework/projection";
import { projections } from "../../projector/projections";
import { TestProjectors } from "../support/projectors";
import { documentedIndexes, indexesOf } from "../support/read-model-indexes";

// docs/read-models.md names each collection's indexes; a projector creates them when it starts. Read
// back with listIndexes, which MongoDB and FerretDB 1.24 both answer with the key's fields and
// directions. FerretDB's PostgreSQL-side GIN twins (docs/native-stack.md) are not shown by listIndexes.
const run = process.env.TEST_RUN_ID!;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const database = `whatsapp_test_${run}_indexes`;
const projectors = new TestProjectors();

afterAll(async () => {
  await projectors.stopAll();
  await mongo.close();
});

it("has the documented indexes, and no other, once a projector running every projection starts", async () => {
  await projectors.start(Object.values(projections), `${process.env.TOPIC_PREFIX}indexes.`, database);

  const collections = Object.values(projections).flatMap((projection) => collectionsOf(projection));
  expect(Object.keys(documentedIndexes).sort()).toEqual(collections.sort());
  const found: Record<string, string[]> = {};
  for (const collection of collections) found[collection] = await indexesOf(mongo.db(database), collection);
  expect(found).toEqual(documentedIndexes);
});
