import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { AttackerReport, AttackerSettings } from "./unsigned-flood-attackers";

/** Resident memory of a process (VmRSS of /proc/<pid>/status), in MiB. */
export function residentMiB(pid: number): number {
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return kib ? Math.round(Number(kib) / 1024) : NaN;
}

export interface UnsignedFlood {
  /** Stops every attacker connection and returns what they were answered. */
  stop(): Promise<AttackerReport>;
}

/** Starts the attackers (unsigned large bodies, slow signed-looking bodies) in a process of their own. */
export async function startUnsignedFlood(settings: AttackerSettings): Promise<UnsignedFlood> {
  const child = fork(path.join(__dirname, "unsigned-flood-attackers.ts"), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`the flood's attackers exited (${code}) before starting`)));
    child.send(settings);
  });
  return {
    stop: async () => {
      const report = new Promise<AttackerReport>((resolve, reject) => {
        child.once("message", (message) => resolve(message as AttackerReport));
        child.once("exit", () => reject(new Error("the flood's attackers exited without a report")));
      });
      child.send("stop");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
      try {
        return await report;
      } finally {
        await exited;
        clearTimeout(timeout);
      }
    },
  };
}
