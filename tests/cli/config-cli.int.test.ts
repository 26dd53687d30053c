import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import { openConfigSecrets, sealConfigSecrets } from "../../ingress/configuration/config-secrets";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { parseEncryptionKey, type SealedSecret } from "../../runtime/secret-box";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { postWebhook } from "../support/webhook-client";

// The config command-line tool (docs/operations.md, whatsapp_configs) as a process against the real
// MongoDB-wire server: add (secrets from standard input or files, sealed under CONFIG_ENCRYPTION_KEY),
// list (secrets masked), deactivate, reactivate, remove, rotate-key, what it says on bad input, and an
// ingress that takes what it wrote.
const repositoryRoot = path.resolve(__dirname, "../..");
const database = `${process.env.MONGODB_DB}_config_cli`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const configs = whatsappConfigs(mongo.db(database));
const firstKey = randomBytes(32).toString("base64");
const secondKey = randomBytes(32).toString("base64");
let ingress: RunningIngress | undefined;

afterAll(async () => {
  await ingress?.stop();
  await mongo.close();
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run config -- <args>`, from the source through tsx, with this test's database, `input` on stdin. */
function config(
  args: string[],
  { input = "", env = {} }: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", path.join(repositoryRoot, "cli/config.ts"), ...args],
      {
        cwd: repositoryRoot,
        env: {
          ...process.env,
          NODE_OPTIONS: "",
          MONGODB_DB: database,
          CONFIG_ENCRYPTION_KEY: firstKey,
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

const number = "106540350000001";
const identity = ["--waba-id", "102290120000001", "--phone-number-id", number];
const secrets = {
  accessToken: "EAAGcliaccesstoken1234",
  verifyToken: "cli-verify-token-1234",
  appSecret: "cli-app-secret-abcdef",
};
const asLines = (values: typeof secrets) =>
  `${values.accessToken}\n${values.verifyToken}\n${values.appSecret}\n`;
const keyOf = (base64: string) => parseEncryptionKey(base64);

it("adds an active configuration from standard input, sealed, and on a second add from files updates it in place", async () => {
  const added = await config(["add", ...identity], { input: asLines(secrets) });
  expect(added).toMatchObject({ code: 0, stderr: "" });
  expect(added.stdout).toContain(
    `active configuration for phone number ${number} (WABA 102290120000001), sealed under key ${keyOf(firstKey).id}`,
  );
  const first = await configs.findOne({ _id: number });
  expect(first).toMatchObject({
    _id: number,
    wabaId: "102290120000001",
    phoneNumberId: number,
    active: true,
  });
  expect(JSON.stringify(first)).not.toMatch(/EAAGcli|cli-verify|cli-app-secret/);
  expect((first!.appSecret as SealedSecret).keyId).toBe(keyOf(firstKey).id);
  expect(
    openConfigSecrets(first!, ["accessToken", "verifyToken", "appSecret"], { current: keyOf(firstKey) }),
  ).toEqual({ secrets, plaintext: [] });
  expect(first!.createdAt).toBeInstanceOf(Date);

  const directory = await mkdtemp(path.join(tmpdir(), "config-cli-"));
  const fileOf = async (name: string, value: string) => {
    await writeFile(path.join(directory, name), `${value}\n`, { mode: 0o600 });
    return path.join(directory, name);
  };
  const rotated = await config([
    "add",
    ...identity,
    "--access-token-file",
    await fileOf("token", secrets.accessToken),
    "--verify-token-file",
    await fileOf("verify", secrets.verifyToken),
    "--app-secret-file",
    await fileOf("secret", "cli-app-secret-rotated"),
  ]);
  expect(rotated.code).toBe(0);
  expect(await configs.countDocuments({})).toBe(1);
  const second = await configs.findOne({ _id: number });
  expect(openConfigSecrets(second!, ["appSecret"], { current: keyOf(firstKey) }).secrets).toEqual({
    appSecret: "cli-app-secret-rotated",
  });
  expect(second!.createdAt).toEqual(first!.createdAt);
  expect(second!.updatedAt.getTime()).toBeGreaterThan(first!.updatedAt.getTime());
});

it("lists every configuration with its secrets masked and the key that seals them", async () => {
  const listed = await config(["list"]);
  expect(listed).toMatchObject({ code: 0, stderr: "" });
  expect(listed.stdout).toContain(number);
  expect(listed.stdout).toContain("102290120000001");
  // Enough to tell two apart (first and last two characters), never enough to use.
  expect(listed.stdout).toContain("EA****34");
  expect(listed.stdout).toContain("cl****34");
  expect(listed.stdout).toContain("cl****ed");
  expect(listed.stdout).toContain(keyOf(firstKey).id);
  for (const secret of ["EAAGcliaccesstoken1234", "cli-verify-token-1234", "cli-app-secret-rotated"])
    expect(listed.stdout).not.toContain(secret);
});

it("gives a running ingress the added secret, takes it back on deactivate, gives it back on reactivate", async () => {
  ingress = await startIngress(
    readIngressSettings({
      ...process.env,
      MONGODB_DB: database,
      TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}config-cli.`,
      PORT: "0",
      OPS_PORT: "0",
      WHATSAPP_APP_SECRET: "env-app-secret",
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "env-verify-token",
      WHATSAPP_CONFIG_REFRESH_MS: "200",
      CONFIG_ENCRYPTION_KEY: firstKey,
    }),
    createLogger("test", "silent"),
  );
  const baseUrl = `http://127.0.0.1:${ingress.port}`;
  const signedWith = (secret: string) =>
    postWebhook(baseUrl, statusDelivery([statusObject(wamid(), "sent", 1750263900)]), {
      appSecret: secret,
    }).then((answer) => answer.status);
  expect(await signedWith("cli-app-secret-rotated")).toBe(200);
  expect(await signedWith("env-app-secret")).toBe(401);

  const deactivated = await config(["deactivate", "--phone-number-id", number]);
  expect(deactivated).toMatchObject({ code: 0, stderr: "" });
  expect(deactivated.stdout).toContain(`deactivated phone number ${number}`);
  expect(await configs.findOne({ _id: number })).toMatchObject({ active: false });
  await eventually(
    () => signedWith("env-app-secret"),
    (status) => status === 200,
  );
  expect(await signedWith("cli-app-secret-rotated")).toBe(401);

  const reactivated = await config(["reactivate", "--phone-number-id", number]);
  expect(reactivated).toMatchObject({ code: 0, stderr: "" });
  expect(reactivated.stdout).toContain(`reactivated phone number ${number}`);
  await eventually(
    () => signedWith("cli-app-secret-rotated"),
    (status) => status === 200,
  );
});

describe("rotate-key", () => {
  const legacy = "106540350000002";
  const stranger = "106540350000003";
  const now = new Date();
  const documentOf = (id: string, stored: object) => ({
    _id: id,
    wabaId: "102290120000001",
    phoneNumberId: id,
    active: false,
    createdAt: now,
    updatedAt: now,
    ...(stored as typeof secrets),
  });

  it("seals every document under the new key, the previous key's and legacy plaintext ones, and names one it cannot open", async () => {
    await configs.insertMany([
      documentOf(legacy, { ...secrets, appSecret: "legacy-app-secret" }),
      documentOf(stranger, sealConfigSecrets(stranger, secrets, keyOf(randomBytes(32).toString("base64")))),
    ]);
    const rotated = await config(["rotate-key"], {
      env: { CONFIG_ENCRYPTION_KEY: secondKey, CONFIG_ENCRYPTION_KEY_PREVIOUS: firstKey },
    });
    expect(rotated.code).toBe(1);
    expect(rotated.stdout).toContain(
      `rotate-key: 2 sealed again under key ${keyOf(secondKey).id}, 0 already under it, 1 that do not open, 0 changed meanwhile`,
    );
    expect(rotated.stderr).toContain(`whatsapp_configs document ${stranger}, accessToken: sealed under key`);
    for (const id of [number, legacy]) {
      const document = await configs.findOne({ _id: id });
      expect((document!.accessToken as SealedSecret).keyId).toBe(keyOf(secondKey).id);
      expect(
        openConfigSecrets(document!, ["appSecret"], { current: keyOf(secondKey) }).secrets.appSecret,
      ).toMatch(/^(cli-app-secret-rotated|legacy-app-secret)$/);
    }
    await configs.deleteOne({ _id: stranger });

    const again = await config(["rotate-key"], { env: { CONFIG_ENCRYPTION_KEY: secondKey } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 sealed again");
    expect(again.stdout).toContain("2 already under it");
    const listed = await config(["list"], { env: { CONFIG_ENCRYPTION_KEY: secondKey } });
    expect(listed).toMatchObject({ code: 0, stderr: "" });
  });

  it("warns of a legacy plaintext document in the listing", async () => {
    await configs.insertOne(documentOf("106540350000004", { ...secrets }));
    const listed = await config(["list"], { env: { CONFIG_ENCRYPTION_KEY: secondKey } });
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain("106540350000004 holds plaintext secrets");
    expect(listed.stdout).toContain("plaintext");
    await configs.deleteOne({ _id: "106540350000004" });
  });
});

it("removes a configuration", async () => {
  const removed = await config(["remove", "--phone-number-id", "106540350000002"]);
  expect(removed).toMatchObject({ code: 0, stderr: "" });
  expect(removed.stdout).toContain("removed phone number 106540350000002");
  expect(await configs.findOne({ _id: "106540350000002" })).toBeNull();
});

describe("bad input: a message, an exit code other than 0, nothing written", () => {
  const unchanged = async (run: Promise<CliRun>) => {
    const before = await configs.find({}).sort({ _id: 1 }).toArray();
    const result = await run;
    expect(await configs.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
    return result;
  };
  const usage = "npm run config -- add --waba-id ID --phone-number-id ID";

  it("--help: 0, the usage on standard output", async () => {
    for (const args of [["--help"], ["-h"], ["add", "--help"]]) {
      const result = await config(args, { env: { CONFIG_ENCRYPTION_KEY: "" } });
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toContain(usage);
    }
  });

  it("a secret on the command line: 2, naming the option and never repeating the value", async () => {
    for (const args of [
      ["--access-token", "EAAGsecretinargs"],
      ["--app-secret=EAAGsecretinargs"],
      ["--verify-token", "EAAGsecretinargs"],
    ]) {
      const result = await unchanged(config(["add", ...identity, ...args], { input: asLines(secrets) }));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${args[0]!.split("=")[0]} is not taken`);
      expect(result.stderr).toContain(usage);
      expect(result.stderr + result.stdout).not.toContain("EAAGsecretinargs");
    }
  });

  it("add without every field: 2, naming what is missing, with the usage", async () => {
    const noWaba = await unchanged(config(["add", "--phone-number-id", "1"], { input: asLines(secrets) }));
    expect(noWaba.code).toBe(2);
    expect(noWaba.stderr).toContain("missing --waba-id");
    expect(noWaba.stderr).toContain(usage);
    const twoLines = await unchanged(config(["add", ...identity], { input: "token\nverify\n" }));
    expect(twoLines.code).toBe(2);
    expect(twoLines.stderr).toContain("no app secret given");
  });

  it("a development secret outside WHATSAPP_DEV_MODE=1: 2, naming it", async () => {
    const development = { ...secrets, appSecret: "dev-app-secret" };
    const refused = await unchanged(config(["add", ...identity], { input: asLines(development) }));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'appSecret holds the development value "dev-app-secret", accepted only with WHATSAPP_DEV_MODE=1',
    );
  });

  it("no CONFIG_ENCRYPTION_KEY, or a malformed one: 1, naming it", async () => {
    const missing = await unchanged(config(["list"], { env: { CONFIG_ENCRYPTION_KEY: "" } }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("CONFIG_ENCRYPTION_KEY: missing (required by list");
    const malformed = await unchanged(
      config(["add", ...identity], { input: asLines(secrets), env: { CONFIG_ENCRYPTION_KEY: "short" } }),
    );
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain("CONFIG_ENCRYPTION_KEY: malformed: expected 32 bytes in base64");
  });

  it("deactivate, reactivate or remove without a phone number id: 2, with the usage", async () => {
    for (const command of ["deactivate", "reactivate", "remove"]) {
      const result = await unchanged(config([command]));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("missing --phone-number-id");
      expect(result.stderr).toContain(usage);
    }
  });

  it("deactivate, reactivate or remove of a number without a configuration: 1, naming it", async () => {
    for (const command of ["deactivate", "reactivate", "remove"]) {
      const result = await unchanged(config([command, "--phone-number-id", "999"]));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("no configuration for phone number 999");
    }
  });

  it("reactivate of a document the key does not open: 1, naming it, still inactive", async () => {
    await configs.updateOne({ _id: number }, { $set: { active: false } });
    const result = await unchanged(config(["reactivate", "--phone-number-id", number]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`whatsapp_configs document ${number}, accessToken: sealed under key`);
    expect(result.stderr).toContain("not reactivated");
  });

  it("reactivate of a document holding a development secret outside WHATSAPP_DEV_MODE=1: 1, naming the field, still inactive", async () => {
    const development = "106540350000009";
    const sealedDevelopment = sealConfigSecrets(
      development,
      { ...secrets, verifyToken: "dev-verify-token" },
      keyOf(firstKey),
    );
    const now = new Date();
    await configs.insertOne({
      _id: development,
      wabaId: "102290120000001",
      phoneNumberId: development,
      ...sealedDevelopment,
      active: false,
      createdAt: now,
      updatedAt: now,
    });
    const refused = await unchanged(config(["reactivate", "--phone-number-id", development]));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `whatsapp_configs document ${development} holds a development secret in verifyToken, accepted only with WHATSAPP_DEV_MODE=1: not reactivated`,
    );
    expect(refused.stderr + refused.stdout).not.toContain("dev-verify-token");
    const allowed = await config(["reactivate", "--phone-number-id", development], {
      env: { WHATSAPP_DEV_MODE: "1" },
    });
    expect(allowed).toMatchObject({ code: 0, stderr: "" });
    expect(await configs.findOne({ _id: development })).toMatchObject({ active: true });
    await configs.deleteOne({ _id: development });
  });

  it("a stray positional: 2, never repeated, nor a command name that does not look like one", async () => {
    const pasted = "EAAGpastedsecret0123456789abcdef";
    const overlong = "a".repeat(33);
    for (const args of [["add", pasted, ...identity], ["list", "--", pasted], [pasted], [overlong]]) {
      const result = await unchanged(config(args, { input: asLines(secrets) }));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(usage);
      expect(result.stderr + result.stdout).not.toContain(pasted);
      expect(result.stderr + result.stdout).not.toContain(overlong);
    }
  });

  it("an unknown command: 2, with the usage", async () => {
    const result = await unchanged(config(["purge", "--phone-number-id", number]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command: purge");
    expect(result.stderr).toContain(usage);
  });

  it("an unknown option, or an option without its value: 2, naming it, with the usage", async () => {
    const unknown = await unchanged(config(["add", ...identity, "--app-secrets", "x"]));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--app-secrets'");
    expect(unknown.stderr).toContain(usage);
    const valueless = await unchanged(config(["deactivate", "--phone-number-id"]));
    expect(valueless.code).toBe(2);
    expect(valueless.stderr).toContain("--phone-number-id");
    expect(valueless.stderr).toContain(usage);
  });
});
