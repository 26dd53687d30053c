import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const repositoryRoot = path.resolve(__dirname, "../..");
const entry = ["--import", "tsx", path.join(repositoryRoot, "template-sync/main.ts")];

export interface SyncRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a sync against `graphBaseUrl`, with no account from the environment unless given. */
const syncEnvironment = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_OPTIONS: "",
  WHATSAPP_WABA_ID: "",
  WHATSAPP_ACCESS_TOKEN: "",
  ...env,
});

/** `npm run templates:sync -- <args>` as a process from the source through tsx, run to its end. */
export function runTemplatesSync(args: string[], env: NodeJS.ProcessEnv): Promise<SyncRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...entry, ...args],
      { cwd: repositoryRoot, env: syncEnvironment(env), timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

/** The sync started in the background (periodic mode), its output collected as it comes. */
export function startTemplatesSync(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: repositoryRoot,
    env: syncEnvironment(env),
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}
