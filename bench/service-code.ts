import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

export interface ServiceEntry {
  /** Absolute path of the compiled entry. */
  entry: string;
  env: Record<string, string>;
}

export type ProjectorName = "status" | "conversation";

/** Which compiled services the benchmark starts; everything else (load, measurement) is this checkout's. */
export interface ServiceCode {
  directory: string;
  /** Checkout, commit and projector layout, for the output. */
  description: string;
  ingress: ServiceEntry;
  projectors: Record<ProjectorName, ServiceEntry>;
}

function commitOf(directory: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", directory, ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
    const commit = git("rev-parse", "--short", "HEAD").trim();
    const changed = git("status", "--porcelain", "--untracked-files=no").trim() !== "";
    return changed ? `${commit} with uncommitted changes` : commit;
  } catch {
    return "no git commit";
  }
}

/**
 * The services of `BENCH_CODE_DIR` (another checkout, already built) or of this checkout, from its
 * dist/: one projector entry chosen by `PROJECTION` when dist/projector/main.js exists, else one entry
 * per projection.
 */
export function serviceCode(
  directory = process.env.BENCH_CODE_DIR || path.resolve(__dirname, ".."),
): ServiceCode {
  const root = path.resolve(directory);
  const dist = (file: string) => path.join(root, "dist", file);
  const ingress = dist("ingress/main.js");
  if (!existsSync(ingress))
    throw new Error(`${ingress} is missing: build that checkout (npm run build) or fix BENCH_CODE_DIR`);
  const single = dist("projector/main.js");
  const perProjection = (name: ProjectorName) => dist(`projector/${name}/main.js`);
  let projectors: Record<ProjectorName, ServiceEntry>;
  let layout: string;
  if (existsSync(single)) {
    projectors = {
      status: { entry: single, env: { PROJECTION: "status" } },
      conversation: { entry: single, env: { PROJECTION: "conversation" } },
    };
    layout = "projectors: dist/projector/main.js with PROJECTION=status|conversation";
  } else if (existsSync(perProjection("status")) && existsSync(perProjection("conversation"))) {
    projectors = {
      status: { entry: perProjection("status"), env: {} },
      conversation: { entry: perProjection("conversation"), env: {} },
    };
    layout = "projectors: dist/projector/{status,conversation}/main.js";
  } else {
    throw new Error(`no projector entry under ${dist("projector")}: build that checkout (npm run build)`);
  }
  return {
    directory: root,
    description: `${root} (${commitOf(root)}), ${layout}`,
    ingress: { entry: ingress, env: {} },
    projectors,
  };
}
