import { MongoClient } from "mongodb";
import { stackKafka } from "./stack-clients";

/**
 * Removes what a test, benchmark or fault run wrote: its Kafka topics (by name prefix) and its databases on
 * the MongoDB-wire server (by name prefix). A `make bench` writes about 2 GB of Kafka log segments and
 * 400,000 documents, and a test run about 10 topics and 3 databases: kept, they fill the disk run
 * after run, and the database's background maintenance of them runs during later measurements.
 * Schema registry subjects are left: they are a few kilobytes each.
 */
export async function removeRunData(options: {
  brokers: string;
  mongoUri: string;
  topicPrefix: string;
  databasePrefix: string;
}): Promise<{ topics: number; databases: number }> {
  const kafka = stackKafka("whatsapp-events-run-cleanup", { KAFKA_BROKERS: options.brokers });
  const admin = kafka.admin();
  await admin.connect();
  let topics: string[];
  try {
    topics = (await admin.listTopics()).filter((topic) => topic.startsWith(options.topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }

  const mongo = new MongoClient(options.mongoUri);
  let databases: string[];
  try {
    const listed = await mongo.db("admin").admin().listDatabases({ nameOnly: true });
    databases = listed.databases
      .map((database) => database.name)
      .filter((name) => name.startsWith(options.databasePrefix));
    for (const name of databases) await mongo.db(name).dropDatabase();
  } finally {
    await mongo.close();
  }
  return { topics: topics.length, databases: databases.length };
}
