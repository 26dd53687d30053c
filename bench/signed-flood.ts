import { fork } from "node:child_process";
import path from "node:path";
import type { SenderCommand, SenderReport, SenderSettings } from "./signed-flood-senders";

export interface SignedFlood {
  /** The senders' process. */
  pid: number;
  /** Size of each delivery's body, bytes. */
  bodyBytes: number;
  /**
   * Runs `connections` senders from now on, their requests labelled `phase`: with more than before new
   * ones join; with fewer the others leave once their request (or their pause after a refusal) is over.
   */
  run(connections: number, phase: string): void;
  /** Lets every sender finish the request it is on, closes their connections and returns every outcome. */
  stop(): Promise<SenderReport>;
}

/** Starts the signed-flood senders (signed-flood-senders.ts) in a process of their own, with no connection yet. */
export async function startSignedFlood(settings: SenderSettings): Promise<SignedFlood> {
  const child = fork(path.join(__dirname, "signed-flood-senders.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { bodyBytes } = await new Promise<{ bodyBytes: number }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as { bodyBytes: number }));
    child.once("exit", (code) => reject(new Error(`the flood's senders exited (${code}) before starting`)));
    child.send(settings);
  });
  const command = (message: SenderCommand) => child.send(message);
  return {
    pid: child.pid!,
    bodyBytes,
    run: (connections, phase) => command({ connections, phase }),
    stop: async () => {
      const report = new Promise<SenderReport>((resolve, reject) => {
        child.once("message", (message) => resolve(message as SenderReport));
        child.once("exit", () => reject(new Error("the flood's senders exited without a report")));
      });
      command("stop");
      const timeout = setTimeout(() => child.kill("SIGKILL"), settings.answerTimeoutMs + 30_000);
      try {
        return await report;
      } finally {
        await exited;
        clearTimeout(timeout);
      }
    },
  };
}
