import { readFileSync } from "node:fs";
import { EnvError, makeValidator } from "envalid";

/** 1 or true is on; empty, 0 or false is off (an empty line of .env is off). */
export const onOff = makeValidator<boolean>((raw) => {
  const value = raw.trim().toLowerCase();
  if (["1", "true"].includes(value)) return true;
  if (["", "0", "false"].includes(value)) return false;
  throw new EnvError(`"${raw}" is neither 1 nor 0`);
});

/** A file's text, or an error that names its path and why, never its content. */
function readSettingFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new EnvError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

/** The path of a readable PEM file holding at least one certificate; empty is unset. */
export const certificateFile = makeValidator<string>((raw) => {
  const path = raw.trim();
  if (path === "") return "";
  if (!readSettingFile(path).includes("-----BEGIN CERTIFICATE-----"))
    throw new EnvError(`${path} holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)`);
  return path;
});

/** The path of a readable PEM file holding an unencrypted private key; empty is unset. */
export const privateKeyFile = makeValidator<string>((raw) => {
  const path = raw.trim();
  if (path === "") return "";
  const content = readSettingFile(path);
  if (content.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    throw new EnvError(
      `${path} holds an encrypted private key; give it decrypted (openssl pkey -in <key> -out <decrypted key>)`,
    );
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(content))
    throw new EnvError(`${path} holds no PEM private key (a -----BEGIN PRIVATE KEY----- block)`);
  return path;
});
