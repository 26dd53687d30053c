import { readFile } from "node:fs/promises";

/**
 * Where the config command-line tool takes secrets from: a file, standard input, or a prompt that does
 * not echo. Never from arguments: those show in `ps` and in npm's echo of the command.
 */

/** A secret file's content without its trailing newline; an empty file is refused. */
export async function readSecretFile(path: string, option: string): Promise<string> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`, {
      cause: error,
    });
  }
  const secret = content.trim();
  if (!secret) throw new Error(`${option} ${path} is empty`);
  return secret;
}

/** Every line of standard input, trimmed, without the empty last one. */
export async function readInputLines(input: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  const lines = Buffer.concat(chunks)
    .toString("utf8")
    .split("\n")
    .map((line) => line.trim());
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** The terminal input the prompt needs: raw mode turns echo off. */
export interface TerminalInput extends NodeJS.ReadableStream {
  setRawMode(mode: boolean): unknown;
}

/** Asks for one secret on a terminal without echoing it; Ctrl-C cancels. */
export function promptHidden(
  question: string,
  input: TerminalInput,
  output: NodeJS.WritableStream,
): Promise<string> {
  output.write(question);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let secret = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
    };
    const onData = (chunk: string | Buffer) => {
      for (const character of chunk.toString()) {
        if (character === "\r" || character === "\n") {
          finish();
          resolve(secret.trim());
          return;
        }
        if (character === "\u0003") {
          finish();
          reject(new Error("cancelled"));
          return;
        }
        if (character === "\u007f" || character === "\b") secret = secret.slice(0, -1);
        else secret += character;
      }
    };
    input.on("data", onData);
  });
}
