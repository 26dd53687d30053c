import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { serviceNodeFlags } from "./service-node-flags";

const repositoryRoot = path.resolve(__dirname, "../..");

export interface ServiceProcess {
  name: string;
  port: number;
  baseUrl: string;
  /** Where its /readyz and /metrics answered: its OPS_PORT listener, or baseUrl for a service without one. */
  operationsUrl: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then waits for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Where a service process runs: another folder than this checkout, as another user. */
export interface ProcessPlace {
  /** Working directory, and the folder `entry` is relative to (this checkout by default). */
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * Runs a service (compiled, dist/... of this checkout, or an absolute path) as its own process and waits
 * until its /readyz answers 200: on OPS_PORT (given, or a free one), or on PORT for a service that keeps
 * its operations endpoints there (projectors, an ingress of older code). Its output is kept in memory, and
 * appended to logFile as it comes when one is given.
 */
export async function startServiceProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
  logFile?: string,
  { cwd = repositoryRoot, uid, gid }: ProcessPlace = {},
): Promise<ServiceProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const operationsPort = Number(env.OPS_PORT ?? (await freePort()));
  // Compiled services run as they ship; a TypeScript entry (the benchmark's baseline) runs through tsx.
  const loader = entry.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(process.execPath, [...loader, ...serviceNodeFlags, path.resolve(cwd, entry)], {
    cwd,
    uid,
    gid,
    env: { ...process.env, NODE_OPTIONS: "", ...env, PORT: String(port), OPS_PORT: String(operationsPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  if (logFile) mkdirSync(path.dirname(logFile), { recursive: true });
  const file = logFile ? createWriteStream(logFile, { flags: "a" }) : undefined;
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    file?.write(chunk);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  // "close", not "exit": output can still arrive after the process exits, and a write after end throws.
  child.once("close", () => file?.end());
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const candidates = [`http://127.0.0.1:${operationsPort}`, baseUrl];
  const readyAt = async (url: string) =>
    fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  const deadline = Date.now() + readyTimeoutMs;
  let operationsUrl: string | undefined;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} during start-up:\n${output}`);
    for (const url of candidates) if (!operationsUrl && (await readyAt(url))) operationsUrl = url;
    if (operationsUrl) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    name,
    port,
    baseUrl,
    operationsUrl,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
