import { randomBytes } from "node:crypto";
import { provideStack, type StackProvider } from "./stack-providers";

declare global {
  var __whatsappEventsStack: StackProvider | undefined;
}

/**
 * Finds the stack once per jest run (environment, else Docker, else native) and hands its addresses
 * to every test through the environment, with a topic prefix and database unique to this run.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_RUN_ID) return; // another project of this run already did it
  const stack = await provideStack(process.env);
  globalThis.__whatsappEventsStack = stack;
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  Object.assign(process.env, stack.addresses, stack.controls, {
    TEST_RUN_ID: runId,
    TEST_STACK_SOURCE: stack.source,
    TOPIC_PREFIX: `test-${runId}.`,
    MONGODB_DB: `whatsapp_test_${runId}`,
  });
  console.log(`\n[tests] stack from ${stack.source}; run ${runId}; topics test-${runId}.*`);
}
