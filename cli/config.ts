import { parseArgs } from "node:util";
import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../ingress/configuration/config-cache";
import { maskSecret } from "../ingress/configuration/webhook-credentials";
import { readSettings, stackSettingSpecs } from "../runtime/settings";

const usage = `Manage whatsapp_configs (the ingress re-reads them every WHATSAPP_CONFIG_REFRESH_MS):
  npm run config -- add --waba-id ID --phone-number-id ID --access-token TOKEN --verify-token TOKEN --app-secret SECRET
  npm run config -- list
  npm run config -- deactivate --phone-number-id ID`;

const options = {
  "waba-id": { type: "string" },
  "phone-number-id": { type: "string" },
  "access-token": { type: "string" },
  "verify-token": { type: "string" },
  "app-secret": { type: "string" },
} as const;
const optionsOf = (args: string[]) => parseArgs({ args, options }).values;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let values: ReturnType<typeof optionsOf>;
  try {
    values = optionsOf(rest);
  } catch (error) {
    // An unknown option or one without its value is bad usage, like a missing one.
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const settings = readSettings({
    MONGODB_URI: stackSettingSpecs.MONGODB_URI,
    MONGODB_DB: stackSettingSpecs.MONGODB_DB,
  });
  const client = new MongoClient(settings.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  try {
    const configs = whatsappConfigs(client.db(settings.MONGODB_DB));
    switch (command) {
      case "add": {
        const required = [
          "waba-id",
          "phone-number-id",
          "access-token",
          "verify-token",
          "app-secret",
        ] as const;
        const missing = required.filter((name) => !values[name]);
        if (missing.length > 0) {
          console.error(`missing ${missing.map((name) => `--${name}`).join(", ")}\n\n${usage}`);
          return 2;
        }
        const now = new Date();
        const phoneNumberId = values["phone-number-id"]!;
        await configs.updateOne(
          { _id: phoneNumberId },
          {
            $set: {
              wabaId: values["waba-id"]!,
              phoneNumberId,
              accessToken: values["access-token"]!,
              verifyToken: values["verify-token"]!,
              appSecret: values["app-secret"]!,
              active: true,
              updatedAt: now,
            },
            $setOnInsert: { createdAt: now },
          },
          { upsert: true },
        );
        console.log(`active configuration for phone number ${phoneNumberId} (WABA ${values["waba-id"]})`);
        return 0;
      }
      case "list": {
        const rows = await configs.find({}).sort({ _id: 1 }).toArray();
        console.table(
          rows.map((row) => ({
            phoneNumberId: row.phoneNumberId,
            wabaId: row.wabaId,
            active: row.active,
            accessToken: maskSecret(row.accessToken),
            verifyToken: maskSecret(row.verifyToken),
            appSecret: maskSecret(row.appSecret),
            updatedAt: row.updatedAt?.toISOString(),
          })),
        );
        return 0;
      }
      case "deactivate": {
        const phoneNumberId = values["phone-number-id"];
        if (!phoneNumberId) {
          console.error(`missing --phone-number-id\n\n${usage}`);
          return 2;
        }
        const result = await configs.updateOne(
          { _id: phoneNumberId },
          { $set: { active: false, updatedAt: new Date() } },
        );
        if (result.matchedCount === 0) {
          console.error(`no configuration for phone number ${phoneNumberId}`);
          return 1;
        }
        console.log(`deactivated phone number ${phoneNumberId}`);
        return 0;
      }
      default:
        console.error(usage);
        return 2;
    }
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
