/** One instruction of a Dockerfile: its keyword (upper case), its arguments, and the line it starts on. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** A build stage: `FROM <image> [AS <name>]` and the instructions up to the next FROM. */
export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile: comments and blank lines dropped, `\`-continued lines joined. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending: { text: string; line: number } | undefined;
  const finish = ({ text: whole, line }: { text: string; line: number }) => {
    const [keyword = "", ...rest] = whole.trim().split(/\s+/);
    const args = whole.trim().slice(keyword.length).trim();
    if (keyword.toUpperCase() === "FROM") {
      const [image = "", as, name] = rest;
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
      return;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${line}: ${keyword} before any FROM`);
    stage.instructions.push({ keyword: keyword.toUpperCase(), args, line });
  };
  text.split("\n").forEach((raw, index) => {
    if (!pending && (raw.trim() === "" || raw.trimStart().startsWith("#"))) return;
    const continued = raw.trimEnd().endsWith("\\");
    const part = continued ? raw.trimEnd().slice(0, -1).trimEnd() : raw;
    pending = pending
      ? { ...pending, text: `${pending.text} ${part.trim()}` }
      : { text: part, line: index + 1 };
    if (!continued) {
      finish(pending);
      pending = undefined;
    }
  });
  if (pending) finish(pending);
  return stages;
}

/** `--name=value` options before a COPY's sources, then the sources and the destination. */
export function copyArguments(args: string): {
  options: Record<string, string>;
  sources: string[];
  dest: string;
} {
  if (args.startsWith("[")) throw new Error(`COPY in JSON form is not read here: ${args}`);
  const words = args.split(/\s+/);
  const options: Record<string, string> = {};
  while (words[0]?.startsWith("--")) {
    const [key = "", value = ""] = words.shift()!.slice(2).split("=");
    options[key] = value;
  }
  const dest = words.pop();
  if (!dest || words.length === 0) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { options, sources: words, dest };
}

/** An exec-form (JSON array) CMD or HEALTHCHECK CMD; the shell form is refused. */
export function execForm(args: string): string[] {
  const form = JSON.parse(args) as unknown;
  if (!Array.isArray(form) || !form.every((word) => typeof word === "string"))
    throw new Error(`not an exec form (a JSON array of strings): ${args}`);
  return form;
}
