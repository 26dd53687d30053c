import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { promisify } from "node:util";

/**
 * Faults injected into the stack `make up` runs: the native processes through their pid files and
 * deploy/native scripts, or the Docker Compose services. Only processes of this stack are touched.
 * Scripts run asynchronously, so the load of the caller goes on while a part of the stack restarts.
 */
const repositoryRoot = path.resolve(__dirname, "..");
const pidFile = (name: string) => path.join(repositoryRoot, ".stack/run", `${name}.pid`);
const run = promisify(execFile);

function nativeStackRuns(): boolean {
  const file = pidFile("kafka");
  if (!existsSync(file)) return false;
  try {
    process.kill(Number(readFileSync(file, "utf8")), 0);
    return true;
  } catch {
    return false;
  }
}

export const stackKind = (): "native" | "docker" => (nativeStackRuns() ? "native" : "docker");

const compose = async (...args: string[]): Promise<void> => {
  await run("docker", ["compose", ...args], { cwd: repositoryRoot });
};
const nativeScript = async (script: string, ...args: string[]): Promise<void> => {
  await run(path.join(repositoryRoot, "deploy/native", script), args);
};

/** kill -9 of the broker: no shutdown, no flush of its own. */
export async function killBroker(): Promise<void> {
  if (stackKind() === "docker") return compose("kill", "-s", "SIGKILL", "kafka");
  const pid = Number(readFileSync(pidFile("kafka"), "utf8"));
  process.kill(-pid, "SIGKILL");
}

/** The ports the stack's parts answer on (the same for the native and the Docker stack). */
export const stackPorts = { kafka: 9092, mongodb: 27017, registry: 8081 } as const;

/** Whether 127.0.0.1:`port` refuses a connection (nothing listens there). */
export function portRefuses(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (refused: boolean) => {
      socket.destroy();
      resolve(refused);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(false));
    socket.once("error", () => done(true));
  });
}

/** Fails loudly unless the port refuses connections within 10 s: a stop that did not happen is no fault. */
async function expectStopped(what: string, port: number): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    if (await portRefuses(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${what} still accepts connections on ${port} after it was stopped: the fault did not happen`,
  );
}

/** Stops the MongoDB-wire server; resolves once its port refuses connections. */
export async function stopMongo(): Promise<void> {
  if (stackKind() === "docker") await compose("stop", "mongodb");
  else await nativeScript("down.sh", "ferretdb");
  await expectStopped("the MongoDB-wire server", stackPorts.mongodb);
}

/** Stops the schema registry (SIGTERM); resolves once its port refuses connections. */
export async function stopRegistry(): Promise<void> {
  if (stackKind() === "docker") await compose("stop", "schema-registry");
  else await nativeScript("down.sh", "apicurio");
  await expectStopped("the schema registry", stackPorts.registry);
}

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
};

/**
 * kill -9 of PostgreSQL's postmaster alone (the pid file may name the `runuser` that started it as root):
 * its backends notice and exit by themselves, and the next start runs crash recovery. Returns the
 * backends it had, to wait for before a restart (PostgreSQL refuses to start while they hold its memory).
 * The Docker stack has no PostgreSQL: its MongoDB, the read models' storage there, is killed instead.
 */
export async function killPostgres(): Promise<{ postmaster: number; backends: number[] }> {
  if (stackKind() === "docker") {
    await compose("kill", "-s", "SIGKILL", "mongodb");
    return { postmaster: 0, backends: [] };
  }
  const started = Number(readFileSync(pidFile("postgres"), "utf8"));
  const postmaster =
    commandOf(started) === "postgres"
      ? started
      : childrenOf(started).find((c) => commandOf(c) === "postgres");
  if (!postmaster) throw new Error(`no postgres postmaster under pid ${started} (.stack/run/postgres.pid)`);
  const backends = childrenOf(postmaster);
  process.kill(postmaster, "SIGKILL");
  return { postmaster, backends };
}

/** Whether a process still runs (and is not a zombie). */
export function processRuns(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

/** Starts whatever part of the stack is down, and waits until it answers. */
export async function restartStack(kind: "native" | "docker"): Promise<void> {
  if (kind === "docker")
    return compose("up", "-d", "--wait", "kafka", "schema-registry", "mongodb", "jaeger");
  return nativeScript("up.sh");
}
