import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { promptHidden, readInputLines, readSecretFile, type TerminalInput } from "./secret-input";

/** A terminal stand-in: records raw mode, as a TTY's input stream would take it. */
function fakeTerminal() {
  const input = new PassThrough() as PassThrough & TerminalInput & { rawModes: boolean[] };
  input.rawModes = [];
  input.setRawMode = (mode: boolean) => input.rawModes.push(mode);
  const output = new PassThrough();
  const written: string[] = [];
  output.on("data", (chunk: Buffer) => written.push(chunk.toString()));
  return { input, output, written };
}

it("asks without echoing, in raw mode, and takes back one erased character", async () => {
  const { input, output, written } = fakeTerminal();
  const answer = promptHidden("app secret: ", input, output);
  input.write("app-secrex\u007ft\r");
  expect(await answer).toBe("app-secret");
  expect(input.rawModes).toEqual([true, false]);
  expect(written.join("")).toBe("app secret: \n");
});

it("is cancelled by Ctrl-C", async () => {
  const { input, output } = fakeTerminal();
  const answer = promptHidden("app secret: ", input, output);
  input.write("abc\u0003");
  await expect(answer).rejects.toThrow("cancelled");
  expect(input.rawModes).toEqual([true, false]);
});

it("reads a secret file without its newline, and refuses an empty or missing one by path", async () => {
  const directory = await mkdtemp(path.join(tmpdir(), "secret-input-"));
  await writeFile(path.join(directory, "secret"), "app-secret\n");
  await writeFile(path.join(directory, "empty"), "\n");
  expect(await readSecretFile(path.join(directory, "secret"), "--app-secret-file")).toBe("app-secret");
  await expect(readSecretFile(path.join(directory, "empty"), "--app-secret-file")).rejects.toThrow(
    `--app-secret-file ${path.join(directory, "empty")} is empty`,
  );
  await expect(readSecretFile(path.join(directory, "none"), "--app-secret-file")).rejects.toThrow(
    `cannot read --app-secret-file ${path.join(directory, "none")}: ENOENT`,
  );
});

it("reads standard input as lines, CRLF or LF", async () => {
  const input = new PassThrough();
  input.end("token\r\nverify\napp-secret\n");
  expect(await readInputLines(input)).toEqual(["token", "verify", "app-secret"]);
});
