import { parseArgs } from "node:util";
import { MongoClient, type Collection } from "mongodb";
import { whatsappConfigs } from "../ingress/configuration/config-cache";
import {
  ConfigSecretError,
  configSecretFields,
  openConfigSecrets,
  resealConfigSecrets,
  sealConfigSecrets,
  type ConfigSecretField,
} from "../ingress/configuration/config-secrets";
import { maskSecret, type WhatsAppConfig } from "../ingress/configuration/webhook-credentials";
import type { Keyring } from "../runtime/secret-box";
import { mongoClientOptions, mongoSettingSpecs } from "../runtime/mongodb-settings";
import { readSettings, SettingsError, stackSettingSpecs } from "../runtime/settings";
import {
  configEncryptionSettingSpecs,
  developmentModeSettingSpecs,
  developmentSecretProblems,
  encryptionKeyProblems,
  keyringOf,
  whatsappAccountSettingSpecs,
} from "../runtime/whatsapp-settings";
import { promptHidden, readInputLines, readSecretFile, type TerminalInput } from "./secret-input";

const usage = `Manage whatsapp_configs (the ingress re-reads them every WHATSAPP_CONFIG_REFRESH_MS):
  npm run config -- add --waba-id ID --phone-number-id ID [--access-token-file PATH] [--verify-token-file PATH] [--app-secret-file PATH]
      each secret not given by file is asked for (not echoed) on a terminal, or else read from standard
      input, one line each, in this order: access token, verify token, app secret
  npm run config -- list
  npm run config -- deactivate --phone-number-id ID
  npm run config -- reactivate --phone-number-id ID    (with the secrets it has)
  npm run config -- remove --phone-number-id ID
  npm run config -- rotate-key                         (seal every document under CONFIG_ENCRYPTION_KEY)
Secrets are sealed under CONFIG_ENCRYPTION_KEY (openssl rand -base64 32), never taken from arguments.`;

const options = {
  "waba-id": { type: "string" },
  "phone-number-id": { type: "string" },
  "access-token-file": { type: "string" },
  "verify-token-file": { type: "string" },
  "app-secret-file": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
type Options = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

/** The secret options this tool used to take; their values must never be echoed back. */
const secretArguments = ["--access-token", "--verify-token", "--app-secret"];

const secretSources: Record<ConfigSecretField, { option: keyof Options; prompt: string }> = {
  accessToken: { option: "access-token-file", prompt: "access token: " },
  verifyToken: { option: "verify-token-file", prompt: "verify token: " },
  appSecret: { option: "app-secret-file", prompt: "app secret: " },
};

class UsageError extends Error {}

function readCliSettings() {
  const settings = readSettings({
    ...mongoSettingSpecs,
    MONGODB_DB: stackSettingSpecs.MONGODB_DB,
    ...configEncryptionSettingSpecs,
    ...developmentModeSettingSpecs,
    ...whatsappAccountSettingSpecs,
  });
  const problems = encryptionKeyProblems(settings);
  if (Object.keys(problems).length > 0) throw new SettingsError(problems);
  return settings;
}
type CliSettings = ReturnType<typeof readCliSettings>;

function requireKeyring(settings: CliSettings, command: string): Keyring {
  const keyring = keyringOf(settings);
  if (!keyring)
    throw new SettingsError({
      CONFIG_ENCRYPTION_KEY: `missing (required by ${command}: it seals or opens the secrets of whatsapp_configs; openssl rand -base64 32 makes one)`,
    });
  return keyring;
}

const requireOption = (values: Options, name: "waba-id" | "phone-number-id") => {
  const value = values[name];
  if (!value) throw new UsageError(`missing --${name}`);
  return value;
};

/** Each secret from its file, else from the prompt on a terminal, else from the next line of standard input. */
async function readSecrets(values: Options): Promise<Record<ConfigSecretField, string>> {
  const secrets = {} as Record<ConfigSecretField, string>;
  const unfiled: ConfigSecretField[] = [];
  for (const field of configSecretFields) {
    const path = values[secretSources[field].option] as string | undefined;
    if (path) secrets[field] = await readSecretFile(path, `--${secretSources[field].option}`);
    else unfiled.push(field);
  }
  if (unfiled.length === 0) return secrets;
  if (process.stdin.isTTY) {
    for (const field of unfiled)
      secrets[field] = await promptHidden(
        secretSources[field].prompt,
        process.stdin as TerminalInput,
        process.stderr,
      );
  } else {
    const lines = await readInputLines(process.stdin);
    unfiled.forEach((field, index) => (secrets[field] = lines[index] ?? ""));
  }
  const empty = unfiled.filter((field) => !secrets[field]);
  if (empty.length > 0)
    throw new UsageError(
      `no ${empty.map((field) => secretSources[field].prompt.slice(0, -2)).join(", ")} given (a file, the prompt, or a line of standard input)`,
    );
  return secrets;
}

async function add(configs: Collection<WhatsAppConfig>, values: Options, settings: CliSettings) {
  const wabaId = requireOption(values, "waba-id");
  const phoneNumberId = requireOption(values, "phone-number-id");
  const keyring = requireKeyring(settings, "add");
  const secrets = await readSecrets(values);
  const development = developmentSecretProblems(settings.WHATSAPP_DEV_MODE, secrets);
  if (Object.keys(development).length > 0)
    throw new UsageError(
      Object.entries(development)
        .map(([field, problem]) => `${field} ${problem}`)
        .join("\n"),
    );
  const now = new Date();
  await configs.updateOne(
    { _id: phoneNumberId },
    {
      $set: {
        wabaId,
        phoneNumberId,
        ...sealConfigSecrets(phoneNumberId, secrets, keyring.current),
        active: true,
        updatedAt: now,
      },
      $setOnInsert: { createdAt: now },
    },
    { upsert: true },
  );
  console.log(
    `active configuration for phone number ${phoneNumberId} (WABA ${wabaId}), sealed under key ${keyring.current.id}`,
  );
  return 0;
}

async function list(configs: Collection<WhatsAppConfig>, settings: CliSettings) {
  const keyring = requireKeyring(settings, "list");
  let unreadable = 0;
  const rows = (await configs.find({}).sort({ _id: 1 }).toArray()).map((row) => {
    const shown = { phoneNumberId: row.phoneNumberId, wabaId: row.wabaId, active: row.active };
    try {
      const { secrets, plaintext } = openConfigSecrets(row, configSecretFields, keyring);
      if (plaintext.length > 0)
        console.error(
          `warning: ${row._id} holds plaintext secrets; \`npm run config -- rotate-key\` seals them`,
        );
      const sealedWith = plaintext.length > 0 ? "plaintext" : (row.appSecret as { keyId: string }).keyId;
      return {
        ...shown,
        accessToken: maskSecret(secrets.accessToken),
        verifyToken: maskSecret(secrets.verifyToken),
        appSecret: maskSecret(secrets.appSecret),
        sealedWith,
        updatedAt: row.updatedAt?.toISOString(),
      };
    } catch (error) {
      if (!(error instanceof ConfigSecretError)) throw error;
      unreadable += 1;
      console.error(error.message);
      return { ...shown, sealedWith: "does not open", updatedAt: row.updatedAt?.toISOString() };
    }
  });
  console.table(rows);
  if (settings.WHATSAPP_WABA_ID)
    console.log(
      `environment account (used when no document is active): WABA ${settings.WHATSAPP_WABA_ID}, phone number ${settings.WHATSAPP_PHONE_NUMBER_ID || "(none)"}, Graph API ${settings.WHATSAPP_API_VERSION}, access token ${settings.WHATSAPP_ACCESS_TOKEN ? maskSecret(settings.WHATSAPP_ACCESS_TOKEN) : "(none)"}`,
    );
  return unreadable > 0 ? 1 : 0;
}

async function setActive(
  configs: Collection<WhatsAppConfig>,
  values: Options,
  active: boolean,
  reactivation?: { keyring: Keyring; developmentMode: boolean },
) {
  const phoneNumberId = requireOption(values, "phone-number-id");
  const document = await configs.findOne({ _id: phoneNumberId });
  if (!document) {
    console.error(`no configuration for phone number ${phoneNumberId}`);
    return 1;
  }
  if (reactivation) {
    let secrets: Record<ConfigSecretField, string>;
    try {
      ({ secrets } = openConfigSecrets(document, configSecretFields, reactivation.keyring));
    } catch (error) {
      if (!(error instanceof ConfigSecretError)) throw error;
      console.error(`${error.message}: not reactivated (add it again with its secrets)`);
      return 1;
    }
    // The ingress would skip it: say so now rather than report a reactivation that changes nothing.
    const development = developmentSecretProblems(reactivation.developmentMode, secrets);
    if (Object.keys(development).length > 0) {
      console.error(
        `whatsapp_configs document ${phoneNumberId} holds a development secret in ${Object.keys(development).join(", ")}, ` +
          "accepted only with WHATSAPP_DEV_MODE=1: not reactivated (add it again with real secrets)",
      );
      return 1;
    }
  }
  await configs.updateOne({ _id: phoneNumberId }, { $set: { active, updatedAt: new Date() } });
  console.log(`${active ? "reactivated" : "deactivated"} phone number ${phoneNumberId}`);
  return 0;
}

async function remove(configs: Collection<WhatsAppConfig>, values: Options) {
  const phoneNumberId = requireOption(values, "phone-number-id");
  const result = await configs.deleteOne({ _id: phoneNumberId });
  if (result.deletedCount === 0) {
    console.error(`no configuration for phone number ${phoneNumberId}`);
    return 1;
  }
  console.log(`removed phone number ${phoneNumberId}`);
  return 0;
}

/** Seals every document under the current key: those under the previous key, and legacy plaintext ones. */
async function rotateKey(configs: Collection<WhatsAppConfig>, settings: CliSettings) {
  const keyring = requireKeyring(settings, "rotate-key");
  const counts = { resealed: 0, current: 0, failed: 0, changedMeanwhile: 0 };
  for (const document of await configs.find({}).sort({ _id: 1 }).toArray()) {
    let sealed: ReturnType<typeof resealConfigSecrets>;
    try {
      sealed = resealConfigSecrets(document, keyring);
    } catch (error) {
      if (!(error instanceof ConfigSecretError)) throw error;
      counts.failed += 1;
      console.error(error.message);
      continue;
    }
    if (!sealed) {
      counts.current += 1;
      continue;
    }
    // Only the document as read: one changed meanwhile (a concurrent add) is left as it now is.
    const result = await configs.updateOne(
      { _id: document._id, updatedAt: document.updatedAt ?? null },
      { $set: { ...sealed, updatedAt: new Date() } },
    );
    if (result.modifiedCount === 1) counts.resealed += 1;
    else {
      counts.changedMeanwhile += 1;
      console.error(`whatsapp_configs document ${document._id} changed meanwhile; run rotate-key again`);
    }
  }
  console.log(
    `rotate-key: ${counts.resealed} sealed again under key ${keyring.current.id}, ${counts.current} already under it, ` +
      `${counts.failed} that do not open, ${counts.changedMeanwhile} changed meanwhile`,
  );
  return counts.failed + counts.changedMeanwhile > 0 ? 1 : 0;
}

/**
 * What is wrong with the positionals, echoing at most a short word as the command: a secret pasted
 * as a positional must not be printed back.
 */
function commandProblem(command: string | undefined, extra: number): string {
  if (!command) return "no command";
  const shown = /^[a-z][a-z-]{0,31}$/i.test(command) ? command : "(not shown: not a command name)";
  if (extra > 0) return `unexpected argument after the command ${shown} (not shown: options start with --)`;
  return `unknown command: ${shown}`;
}

async function main(argv: string[]): Promise<number> {
  const secretArgument = argv.find((arg) =>
    secretArguments.some((name) => arg === name || arg.startsWith(`${name}=`)),
  );
  if (secretArgument) {
    const name = secretArgument.split("=")[0];
    console.error(
      `${name} is not taken: a secret in the arguments shows in ps and in npm's echo of the command. ` +
        `Use ${name}-file PATH, the prompt, or standard input.\n\n${usage}`,
    );
    return 2;
  }
  let values: Options;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options, allowPositionals: true }));
  } catch (error) {
    // An unknown option or one without its value is bad usage, like a missing one.
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const [command, ...extra] = positionals;
  if (values.help || command === "help") {
    console.log(usage);
    return 0;
  }
  const commands = ["add", "list", "deactivate", "reactivate", "remove", "rotate-key"];
  if (!command || !commands.includes(command) || extra.length > 0) {
    console.error(`${commandProblem(command, extra.length)}\n\n${usage}`);
    return 2;
  }
  const settings = readCliSettings();
  const client = new MongoClient(settings.MONGODB_URI, {
    ...mongoClientOptions(settings),
    serverSelectionTimeoutMS: 10_000,
  });
  try {
    const configs = whatsappConfigs(client.db(settings.MONGODB_DB));
    switch (command) {
      case "add":
        return await add(configs, values, settings);
      case "list":
        return await list(configs, settings);
      case "deactivate":
        return await setActive(configs, values, false);
      case "reactivate":
        return await setActive(configs, values, true, {
          keyring: requireKeyring(settings, "reactivate"),
          developmentMode: settings.WHATSAPP_DEV_MODE,
        });
      case "remove":
        return await remove(configs, values);
      default:
        return await rotateKey(configs, settings);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${usage}`);
    return 2;
  } finally {
    await client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
