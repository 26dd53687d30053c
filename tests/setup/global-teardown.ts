import { removeRunData } from "../support/run-data";
import type { StackProvider } from "./stack-providers";

declare global {
  var __whatsappEventsStack: StackProvider | undefined;
}

/**
 * Removes this run's topics and databases (`TEST_KEEP_DATA=1` keeps them for a look), then stops the
 * stack if this run started it. A failed removal is reported, not thrown: the tests' verdict stands.
 */
export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__whatsappEventsStack;
  globalThis.__whatsappEventsStack = undefined;
  const runId = process.env.TEST_RUN_ID;
  if (stack && runId && process.env.TEST_KEEP_DATA !== "1") {
    try {
      const removed = await removeRunData({
        brokers: stack.addresses.KAFKA_BROKERS,
        mongoUri: stack.addresses.MONGODB_URI,
        topicPrefix: `test-${runId}.`,
        databasePrefix: `whatsapp_test_${runId}`,
      });
      console.log(`[tests] removed run ${runId}: ${removed.topics} topics, ${removed.databases} databases`);
    } catch (error) {
      console.warn(`[tests] could not remove the data of run ${runId}: ${(error as Error).message}`);
    }
  }
  await stack?.stop();
}
