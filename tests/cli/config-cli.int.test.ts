import { execFile } from "node:child_process";
import path from "node:path";
import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import { startIngress, type RunningIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { createLogger } from "../../runtime/logger";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { postWebhook } from "../support/webhook-client";

// The config command-line tool (docs/operations.md, whatsapp_configs) as a process against the real
// MongoDB-wire server: add, list (secrets masked) and deactivate, what it says on bad input, and an
// ingress that takes what it wrote.
const repositoryRoot = path.resolve(__dirname, "../..");
const database = `${process.env.MONGODB_DB}_config_cli`;
const mongo = new MongoClient(process.env.MONGODB_URI!);
const configs = whatsappConfigs(mongo.db(database));
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

/** `npm run config -- <args>`, from the source through tsx, with this test's database. */
function config(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(repositoryRoot, "cli/config.ts"), ...args],
      {
        cwd: repositoryRoot,
        env: { ...process.env, NODE_OPTIONS: "", MONGODB_DB: database },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

const number = "106540350000001";
const app = {
  "--waba-id": "102290120000001",
  "--phone-number-id": number,
  "--access-token": "EAAGcliaccesstoken1234",
  "--verify-token": "cli-verify-token-1234",
  "--app-secret": "cli-app-secret-abcdef",
};
const argsOf = (options: Record<string, string>) => Object.entries(options).flat();

it("adds an active configuration, and on a second add updates it in place", async () => {
  const added = await config("add", ...argsOf(app));
  expect(added).toMatchObject({ code: 0, stderr: "" });
  expect(added.stdout).toContain(`active configuration for phone number ${number} (WABA 102290120000001)`);
  const first = await configs.findOne({ _id: number });
  expect(first).toMatchObject({
    _id: number,
    wabaId: "102290120000001",
    phoneNumberId: number,
    accessToken: "EAAGcliaccesstoken1234",
    verifyToken: "cli-verify-token-1234",
    appSecret: "cli-app-secret-abcdef",
    active: true,
  });
  expect(first!.createdAt).toBeInstanceOf(Date);
  expect(first!.updatedAt).toBeInstanceOf(Date);

  const rotated = await config("add", ...argsOf({ ...app, "--app-secret": "cli-app-secret-rotated" }));
  expect(rotated.code).toBe(0);
  expect(await configs.countDocuments({})).toBe(1);
  const second = await configs.findOne({ _id: number });
  expect(second).toMatchObject({ appSecret: "cli-app-secret-rotated", active: true });
  expect(second!.createdAt).toEqual(first!.createdAt);
  expect(second!.updatedAt.getTime()).toBeGreaterThan(first!.updatedAt.getTime());
});

it("lists every configuration with its secrets masked", async () => {
  const listed = await config("list");
  expect(listed).toMatchObject({ code: 0, stderr: "" });
  expect(listed.stdout).toContain(number);
  expect(listed.stdout).toContain("102290120000001");
  // Enough to tell two apart (first and last two characters), never enough to use.
  expect(listed.stdout).toContain("EA****34");
  expect(listed.stdout).toContain("cl****34");
  expect(listed.stdout).toContain("cl****ed");
  for (const secret of ["EAAGcliaccesstoken1234", "cli-verify-token-1234", "cli-app-secret-rotated"])
    expect(listed.stdout).not.toContain(secret);
});

it("gives a running ingress the added secret, and takes it back on deactivate", async () => {
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

  const deactivated = await config("deactivate", "--phone-number-id", number);
  expect(deactivated).toMatchObject({ code: 0, stderr: "" });
  expect(deactivated.stdout).toContain(`deactivated phone number ${number}`);
  expect(await configs.findOne({ _id: number })).toMatchObject({ active: false });
  await eventually(
    () => signedWith("env-app-secret"),
    (status) => status === 200,
  );
  expect(await signedWith("cli-app-secret-rotated")).toBe(401);
});

describe("bad input: a message, an exit code other than 0, nothing written", () => {
  const unchanged = async (run: Promise<CliRun>) => {
    const before = await configs.find({}).sort({ _id: 1 }).toArray();
    const result = await run;
    expect(await configs.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
    return result;
  };
  const usage = "npm run config -- add --waba-id ID --phone-number-id ID";

  it("add without every field: 2, naming what is missing, with the usage", async () => {
    const { "--app-secret": _secret, "--waba-id": _waba, ...partial } = app;
    const result = await unchanged(config("add", ...argsOf({ ...partial, "--phone-number-id": "1" })));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --waba-id, --app-secret");
    expect(result.stderr).toContain(usage);
  });

  it("deactivate without a phone number id: 2, with the usage", async () => {
    const result = await unchanged(config("deactivate"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing --phone-number-id");
    expect(result.stderr).toContain(usage);
  });

  it("deactivate of a number without a configuration: 1, naming it", async () => {
    const result = await unchanged(config("deactivate", "--phone-number-id", "999"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no configuration for phone number 999");
  });

  it("an unknown command: 2, with the usage", async () => {
    const result = await unchanged(config("remove", "--phone-number-id", number));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(usage);
  });

  it("an unknown option, or an option without its value: 2, naming it, with the usage", async () => {
    const unknown = await unchanged(config("add", ...argsOf(app), "--app-secrets", "x"));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--app-secrets'");
    expect(unknown.stderr).toContain(usage);
    const valueless = await unchanged(config("deactivate", "--phone-number-id"));
    expect(valueless.code).toBe(2);
    expect(valueless.stderr).toContain("--phone-number-id");
    expect(valueless.stderr).toContain(usage);
  });
});
