import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import path from "node:path";

const repositoryRoot = path.resolve(__dirname, "../..");

/**
 * The path of a part of the native stack (`kafka`: the folder of its jars; `ferretdb`: its binary), fetched
 * or built once by `deploy/native/install.sh <part>`, for a server a test starts of its own.
 */
export function nativeStackPart(part: "kafka" | "ferretdb"): string {
  const printed = execFileSync(path.join(repositoryRoot, "deploy/native/install.sh"), [part], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return printed.trim().split("\n").at(-1)!;
}

/** A server a test starts for itself (a broker, a database): its own process group, its output in a file. */
export interface OwnServerProcess {
  readonly pid: number;
  /** The last lines of its log, for a failure's message. */
  logTail(lines?: number): string;
  /** Resolves once `ready()` holds; rejects when the process exits first or `timeoutMs` passes. */
  waitUntil(ready: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void>;
  /** SIGTERM to its group, SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startOwnServerProcess(command: string, args: string[], logFile: string): OwnServerProcess {
  const log = openSync(logFile, "a");
  const child = spawn(command, args, { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const logTail = (lines = 30) => readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  return {
    pid: child.pid!,
    logTail,
    waitUntil: async (ready, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await ready())) {
        if (exitCode !== undefined)
          throw new Error(`${command} exited (${exitCode}) while starting:\n${logTail()}`);
        if (Date.now() > deadline)
          throw new Error(`${command} not ready within ${timeoutMs} ms:\n${logTail()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    stop: async (graceMs = 15_000) => {
      if (exitCode !== undefined) return;
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
