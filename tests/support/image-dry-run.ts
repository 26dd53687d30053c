import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { copyArguments, execForm, parseDockerfile, type Instruction } from "./dockerfile";

/** What the Dockerfile's last stage would be, built natively: its files, and how it would run them. */
export interface NativeImage {
  /** The last stage's WORKDIR, as a folder of this machine. */
  root: string;
  /** ENV of the last stage. */
  env: Record<string, string>;
  user?: string;
  cmd: string[];
  healthcheck?: string[];
  /** What each RUN step took, in seconds, in the order they ran. */
  runSeconds: { step: string; seconds: number }[];
}

/**
 * Builds a Dockerfile's stages natively, step by step as Docker would, each stage in a folder of its own
 * under `scratch` standing for its WORKDIR: COPY from the build context (minus .dockerignore) or from an
 * earlier stage, RUN with `sh -c` under this process's Node, ENV, USER, CMD and HEALTHCHECK recorded. An
 * instruction it does not know fails it, so the Dockerfile cannot grow a step this dry run skips.
 */
export async function buildImageNatively(context: string, scratch: string): Promise<NativeImage> {
  const stages = parseDockerfile(readFileSync(path.join(context, "Dockerfile"), "utf8"));
  const ignored = dockerIgnored(context);
  const built = new Map<string, { folder: string; workdir: string }>();
  // The folders stand for paths of a non-root user's image: readable by all.
  chmodSync(scratch, 0o755);
  let image: NativeImage | undefined;
  for (const [index, stage] of stages.entries()) {
    const folder = path.join(scratch, `${index}-${stage.name ?? "last"}`);
    mkdirSync(folder, { recursive: true });
    const state: NativeImage = { root: folder, env: {}, cmd: [], runSeconds: [] };
    let workdir = "/";
    for (const instruction of stage.instructions) {
      const { keyword, args } = instruction;
      if (keyword === "WORKDIR") {
        if (!path.isAbsolute(args)) throw unknown(instruction, "a relative WORKDIR");
        workdir = args;
      } else if (keyword === "COPY") {
        const { options, sources, dest } = copyArguments(args);
        const inside = (root: string, where: string) => {
          const relative = path.relative(root, path.resolve(root, where));
          if (relative.startsWith("..")) throw unknown(instruction, `${where}, outside WORKDIR ${root}`);
          return relative;
        };
        const from = options.from === undefined ? undefined : built.get(options.from);
        if (options.from !== undefined && !from) throw unknown(instruction, `no stage named ${options.from}`);
        const paths = sources.map((source) => {
          if (from) return path.join(from.folder, inside(from.workdir, source));
          if (ignored.has(source.replace(/^\.\//, "").split("/")[0]!))
            throw unknown(instruction, `${source}, which .dockerignore leaves out of the context`);
          return path.join(context, source);
        });
        copyInto(paths, path.join(folder, inside(workdir, dest)), dest);
      } else if (keyword === "RUN") {
        const started = Date.now();
        await run(args.startsWith("[") ? execForm(args) : ["sh", "-c", args], folder, state.env);
        state.runSeconds.push({ step: args, seconds: (Date.now() - started) / 1000 });
      } else if (keyword === "ENV") {
        for (const [name, value] of envPairs(args)) state.env[name] = value;
      } else if (keyword === "USER") state.user = args;
      else if (keyword === "CMD") state.cmd = execForm(args);
      else if (keyword === "HEALTHCHECK") state.healthcheck = healthcheckCommand(args);
      else if (keyword !== "EXPOSE") throw unknown(instruction, keyword);
    }
    if (stage.name) built.set(stage.name, { folder, workdir });
    image = { ...state, root: folder, runSeconds: [...(image?.runSeconds ?? []), ...state.runSeconds] };
  }
  if (!image) throw new Error("the Dockerfile has no stage");
  return image;
}

const unknown = ({ line }: Instruction, what: string) =>
  new Error(
    `Dockerfile line ${line}: the native dry run does not know ${what} (tests/support/image-dry-run.ts)`,
  );

/** The names .dockerignore leaves out; only plain names at the context's root are read here. */
function dockerIgnored(context: string): Set<string> {
  const file = path.join(context, ".dockerignore");
  if (!existsSync(file)) return new Set();
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const patterns = lines.filter((line) => /[*?[\]!/]/.test(line.replace(/\/$/, "")));
  if (patterns.length > 0)
    throw new Error(`.dockerignore has patterns the dry run does not read: ${patterns.join(", ")}`);
  return new Set(lines.map((line) => line.replace(/\/$/, "")));
}

/** COPY's rules: a folder's contents into the destination, a file into it (dest/) or as it. */
function copyInto(sources: string[], target: string, dest: string): void {
  const intoFolder = dest.endsWith("/") || sources.length > 1;
  for (const source of sources) {
    if (!existsSync(source)) throw new Error(`COPY source ${source} does not exist`);
    const to =
      statSync(source).isDirectory() || !intoFolder ? target : path.join(target, path.basename(source));
    mkdirSync(path.dirname(to), { recursive: true });
    // Symbolic links as they are (node_modules/.bin), not resolved into the stage they came from.
    cpSync(source, to, { recursive: true, verbatimSymlinks: true });
  }
}

/** `ENV a=1 b=2` (or the old `ENV a 1`) as pairs; quotes around a value are dropped. */
function envPairs(args: string): [string, string][] {
  const unquote = (value: string) => value.replace(/^"(.*)"$/, "$1");
  if (!args.split(/\s+/)[0]!.includes("=")) {
    const [name = "", ...value] = args.split(/\s+/);
    return [[name, unquote(value.join(" "))]];
  }
  return args.split(/\s+/).map((pair) => {
    const at = pair.indexOf("=");
    return [pair.slice(0, at), unquote(pair.slice(at + 1))];
  });
}

/** HEALTHCHECK [--option=value ...] CMD [exec form]: the command. */
function healthcheckCommand(args: string): string[] | undefined {
  const command = args.replace(/^(--\S+\s+)*/, "");
  if (command === "NONE") return undefined;
  if (!command.startsWith("CMD ")) throw new Error(`HEALTHCHECK without CMD: ${args}`);
  return execForm(command.slice(4).trim());
}

/** Runs a RUN step in the stage's folder, with this process's Node 24 first on PATH (as the image's). */
function run(command: string[], cwd: string, env: Record<string, string>): Promise<void> {
  const nodeHome = path.resolve(path.dirname(process.execPath), "..");
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd,
      env: {
        ...process.env,
        ...env,
        NODE_OPTIONS: "",
        PATH: `${path.dirname(process.execPath)}:${process.env.PATH}`,
        // Native addons build against this Node's headers, as the Makefile says.
        npm_config_nodedir: nodeHome,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`RUN ${command.join(" ")} exited with ${code}:\n${output}`)),
    );
  });
}
