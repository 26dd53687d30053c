import type { StackProvider } from "./stack-providers";

declare global {
  var __whatsappEventsStack: StackProvider | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__whatsappEventsStack;
  globalThis.__whatsappEventsStack = undefined;
  await stack?.stop();
}
