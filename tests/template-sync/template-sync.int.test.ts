import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import { whatsappConfigs } from "../../ingress/configuration/config-cache";
import { sealConfigSecrets } from "../../ingress/configuration/config-secrets";
import type { TemplateDocument } from "../../projector/projections/templates/template-document";
import { templatesProjection } from "../../projector/projections/templates/projection";
import { parseEncryptionKey } from "../../runtime/secret-box";
import { eventually } from "../support/event-producer";
import { TestProjectors } from "../support/projectors";
import { FakeGraphApi, firstPagePath } from "./fake-graph-api";
import { runTemplatesSync, startTemplatesSync } from "./sync-process";

// `npm run templates:sync` as a process (from the source through tsx) against a fake Graph API on
// loopback, never Meta: accounts from sealed whatsapp_configs documents, paging, throttling with
// Retry-After, a 5xx, an expired token; its events folded by the templates projection on the real stack.
const run = process.env.TEST_RUN_ID!;
const prefix = `${process.env.TOPIC_PREFIX}template-sync.`;
const database = `whatsapp_test_${run}_template_sync`;
const key = randomBytes(32).toString("base64");
const mongo = new MongoClient(process.env.MONGODB_URI!);
const graph = new FakeGraphApi();
const projectors = new TestProjectors();

const syncedWaba = "102290129340501";
const expiredWaba = "102290129340502";
const syncedToken = "EAAsynced-token-7f3a9c";
const expiredToken = "EAAexpired-token-41bd2e";

/** The sync with this test's topics, database, key and fake Graph API. */
const syncEnvironment = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  TOPIC_PREFIX: prefix,
  MONGODB_DB: database,
  CONFIG_ENCRYPTION_KEY: key,
  GRAPH_API_BASE_URL: graph.baseUrl,
  ...env,
});
const templatesSync = (args: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runTemplatesSync(args, syncEnvironment(env));

const template = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `template_${id.slice(-3)}`,
  language: "en_US",
  status,
  category: "UTILITY",
  components: [{ type: "BODY", text: `Body of ${id}` }],
  ...extra,
});

async function addAccount(phoneNumberId: string, wabaId: string, accessToken: string) {
  const sealed = sealConfigSecrets(
    phoneNumberId,
    { accessToken, appSecret: `secret-${phoneNumberId}`, verifyToken: `verify-${phoneNumberId}` },
    parseEncryptionKey(key),
  );
  const now = new Date();
  await whatsappConfigs(mongo.db(database)).insertOne({
    _id: phoneNumberId,
    phoneNumberId,
    wabaId,
    ...sealed,
    active: true,
    createdAt: now,
    updatedAt: now,
  });
}

beforeAll(async () => {
  await graph.start();
});

afterAll(async () => {
  await projectors.stopAll();
  await graph.stop();
  await mongo.close();
});

it("syncs every page of an account through throttling and a 5xx, stops at an expired token naming its account, and exits 1", async () => {
  await addAccount("106540352242901", syncedWaba, syncedToken);
  await addAccount("106540352242902", expiredWaba, expiredToken);
  const page2 = `/v23.0/${syncedWaba}/message_templates?after=QVFIU2`;
  const page3 = `/v23.0/${syncedWaba}/message_templates?after=QVFIU3`;
  graph.answer(firstPagePath(syncedWaba), {
    status: 200,
    body: {
      data: [template("1000000000000001", "APPROVED"), template("1000000000000002", "PAUSED")],
      paging: { cursors: { after: "QVFIU2" }, next: `${graph.baseUrl}${page2}` },
    },
  });
  graph.answer(
    page2,
    {
      status: 429,
      headers: { "retry-after": "1" },
      body: {
        error: { message: "(#80008) There have been too many calls", type: "OAuthException", code: 80008 },
      },
    },
    { status: 503, body: "Service Unavailable" },
    { status: 200, body: { data: [], paging: { next: `${graph.baseUrl}${page3}` } } },
  );
  graph.answer(page3, {
    status: 200,
    body: {
      data: [template("18446744073709551615", "REJECTED", { rejected_reason: "INVALID_FORMAT" })],
      paging: {},
    },
  });
  graph.answer(firstPagePath(expiredWaba), {
    status: 400,
    body: {
      error: {
        message: "Error validating access token: Session has expired on Monday, 01-Dec-26 06:29:46 PST.",
        type: "OAuthException",
        code: 190,
        error_subcode: 463,
        fbtrace_id: "AbCdEf",
      },
    },
  });

  const result = await templatesSync();

  expect(result.code).toBe(1);
  const output = result.stdout + result.stderr;
  expect(output).toContain(`account ${syncedWaba}: synced, 3 templates in 3 pages`);
  expect(output).toMatch(new RegExp(`account ${expiredWaba}: FAILED .*access token is expired or invalid`));
  expect(output).toContain("throttled");
  expect(output).toContain("1 of 2 accounts not synced");
  expect(output).not.toContain(syncedToken);
  expect(output).not.toContain(expiredToken);
  // Each account's own token, as a bearer token; the throttled page asked three times.
  expect(graph.requests.filter((r) => r.path === page2)).toHaveLength(3);
  for (const request of graph.requests)
    expect(request.authorization).toBe(
      `Bearer ${request.path.includes(expiredWaba) ? expiredToken : syncedToken}`,
    );

  await projectors.start(templatesProjection, prefix, database);
  const templates = mongo.db(database).collection<TemplateDocument>("templates");
  const documents = await eventually(
    () => templates.find({}, { sort: { _id: 1 } }).toArray(),
    (found) => found.length === 3,
  );
  expect(documents.map((d) => [d._id, d.wabaId, d.status, d.statusReason, d.components?.body])).toEqual([
    ["1000000000000001", syncedWaba, "APPROVED", null, "Body of 1000000000000001"],
    ["1000000000000002", syncedWaba, "PAUSED", null, "Body of 1000000000000002"],
    ["18446744073709551615", syncedWaba, "REJECTED", "INVALID_FORMAT", "Body of 18446744073709551615"],
  ]);
  expect(documents[0]!.history.map((entry) => entry.field)).toEqual(["template_sync"]);
}, 120_000);

it("syncs the environment's account when no whatsapp_configs document is active, and exits 0", async () => {
  await whatsappConfigs(mongo.db(database)).updateMany({}, { $set: { active: false } });
  const envWaba = "102290129340503";
  graph.answer(firstPagePath(envWaba, "v24.0"), {
    status: 200,
    body: { data: [template("1000000000000003", "APPROVED")] },
  });
  const result = await templatesSync([], {
    WHATSAPP_WABA_ID: envWaba,
    WHATSAPP_ACCESS_TOKEN: "EAAenv-token-99",
    WHATSAPP_API_VERSION: "v24.0",
  });
  // kafkajs may print a TimeoutNegativeWarning of its own on stderr under Node 24: not the sync's.
  expect({ code: result.code, failed: result.stderr.includes("FAILED") }).toEqual({ code: 0, failed: false });
  expect(result.stdout + result.stderr).not.toContain("EAAenv-token-99");
  expect(result.stdout).toContain(`account ${envWaba} (environment): page 1, 1 templates published`);
  expect(result.stdout).toContain(`account ${envWaba}: synced, 1 templates in 1 pages`);
  expect(result.stdout).toContain("every account synced (1)");
  expect(graph.requests.at(-1)!.authorization).toBe("Bearer EAAenv-token-99");
}, 120_000);

it("says what is wrong with its arguments, and exits 2", async () => {
  const result = await templatesSync(["--every", "soon"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--every: "soon" is not a duration like 15m');
  expect(result.stderr).toContain("Usage: npm run templates:sync");
});

it("runs again every --every until stopped, then exits 0", async () => {
  await whatsappConfigs(mongo.db(database)).updateMany({}, { $set: { active: false } });
  const envWaba = "102290129340504";
  graph.answer(firstPagePath(envWaba), {
    status: 200,
    body: { data: [template("1000000000000004", "APPROVED")] },
  });
  const periodic = startTemplatesSync(
    ["--every", "1s"],
    syncEnvironment({ WHATSAPP_WABA_ID: envWaba, WHATSAPP_ACCESS_TOKEN: "EAAperiodic-token" }),
  );
  await eventually(
    async () => periodic.output().split("every account synced (1)").length - 1,
    (runs) => runs >= 2,
  );
  periodic.child.kill("SIGTERM");
  expect(await periodic.exited).toBe(0);
  expect(periodic.output()).toContain("next run in 1s");
}, 120_000);

it("stops at SIGTERM during a long Retry-After instead of waiting it out or asking again, and exits 1", async () => {
  await whatsappConfigs(mongo.db(database)).updateMany({}, { $set: { active: false } });
  const envWaba = "102290129340505";
  graph.answer(firstPagePath(envWaba), {
    status: 429,
    headers: { "retry-after": "60" },
    body: {
      error: { message: "(#80008) There have been too many calls", type: "OAuthException", code: 80008 },
    },
  });
  const oneShot = startTemplatesSync(
    [],
    syncEnvironment({ WHATSAPP_WABA_ID: envWaba, WHATSAPP_ACCESS_TOKEN: "EAAstopped-token" }),
  );
  await eventually(
    async () => oneShot.output(),
    (output) => output.includes("retrying in 60 s"),
  );
  oneShot.child.kill("SIGTERM");
  // Within 15 s of the signal, far less than the 60 s Meta asked to wait.
  const exit = await Promise.race([
    oneShot.exited,
    new Promise((resolve) => setTimeout(() => resolve("still running 15 s after SIGTERM"), 15_000)),
  ]);
  oneShot.child.kill("SIGKILL");
  expect(exit).toBe(1);
  expect(oneShot.output()).toContain("stopped by a signal during a run: the run did not complete");
  expect(graph.requests.filter((r) => r.path === firstPagePath(envWaba))).toHaveLength(1);
}, 120_000);
