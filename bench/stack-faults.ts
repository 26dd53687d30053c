import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Faults injected into the stack `make up` runs: the native processes through their pid files and
 * deploy/native scripts, or the Docker Compose services. Only processes of this stack are touched.
 */
const repositoryRoot = path.resolve(__dirname, "..");
const pidFile = (name: string) => path.join(repositoryRoot, ".stack/run", `${name}.pid`);

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

const compose = (...args: string[]): void => {
  execFileSync("docker", ["compose", ...args], { cwd: repositoryRoot, stdio: "ignore" });
};
const nativeScript = (script: string, ...args: string[]): void => {
  execFileSync(path.join(repositoryRoot, "deploy/native", script), args, { stdio: "ignore" });
};

/** kill -9 of the broker: no shutdown, no flush of its own. */
export function killBroker(): void {
  if (stackKind() === "docker") return compose("kill", "-s", "SIGKILL", "kafka");
  const pid = Number(readFileSync(pidFile("kafka"), "utf8"));
  process.kill(-pid, "SIGKILL");
}

export function stopMongo(): void {
  if (stackKind() === "docker") return compose("stop", "mongodb");
  nativeScript("down.sh", "ferretdb");
}

/** Starts whatever part of the stack is down, and waits until it answers. */
export function restartStack(kind: "native" | "docker"): void {
  if (kind === "docker")
    return compose("up", "-d", "--wait", "kafka", "schema-registry", "mongodb", "jaeger");
  nativeScript("up.sh");
}
