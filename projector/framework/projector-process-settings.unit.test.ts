import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger } from "../../runtime/logger";
import { SettingsError } from "../../runtime/settings";
import { projections } from "../projections";
import { startProjector } from "./projector-service";
import { readProjectorProcess, readProjectorSettings } from "./projector-settings";

// A projector process's settings as docs/operations.md (#projectors) states them: defaults, and one
// refusal naming every variable that is wrong.

/** The problems `env` is refused with (fails the test when it is accepted). */
function problemsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    readProjectorProcess(projections, env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error("accepted settings that should have been refused");
}

it("has the defaults of the documentation, its PORT by the projections it runs", () => {
  const every = readProjectorProcess(projections, {});
  expect(every.projections.map((projection) => projection.name)).toEqual([
    "status",
    "conversation",
    "templates",
    "account",
    "phone-number",
    "calls",
    "payments",
    "groups",
  ]);
  expect(every.name).toBe("whatsapp-projector");
  expect(every.settings).toMatchObject({
    PORT: 3001,
    HOST: "127.0.0.1",
    CONSUMER_GROUP: "",
    MAX_BATCH_BYTES: 1_048_576,
    FETCH_MIN_BYTES: 1,
    FETCH_MAX_WAIT_MS: 5000,
    TOPIC_PARTITIONS: 3,
    MONGODB_PROFILE: "auto",
    REMEMBERED_DOCUMENTS: 10_000,
    STALL_AFTER_MS: 60_000,
    STORE_REOPEN_AFTER_MS: 30_000,
    SHUTDOWN_GRACE_MS: 10_000,
  });
  expect(readProjectorProcess(projections, { PROJECTIONS: "status" }).settings.PORT).toBe(3001);
  const conversation = readProjectorProcess(projections, { PROJECTION: "conversation" });
  expect(conversation.name).toBe("whatsapp-conversation-projector");
  expect(conversation.settings.PORT).toBe(3002);
  expect(readProjectorProcess(projections, { PROJECTIONS: "conversation", PORT: "0" }).settings.PORT).toBe(0);
});

it("refuses a MONGODB_PROFILE other than mongodb, ferretdb-1.24 or auto, naming it", () => {
  expect(problemsOf({ MONGODB_PROFILE: "ferretdb" })).toEqual({
    MONGODB_PROFILE: 'malformed: Value "ferretdb" not in choices [auto,mongodb,ferretdb-1.24]',
  });
  expect(
    readProjectorProcess(projections, { MONGODB_PROFILE: "ferretdb-1.24" }).settings.MONGODB_PROFILE,
  ).toBe("ferretdb-1.24");
});

it("refuses CONSUMER_GROUP in a process of several projections, naming it, and takes it for one", () => {
  expect(problemsOf({ CONSUMER_GROUP: "mine" })).toEqual({
    CONSUMER_GROUP: expect.stringContaining("unset it to run several"),
  });
  expect(
    readProjectorProcess(projections, { PROJECTIONS: "status", CONSUMER_GROUP: "mine" }).settings
      .CONSUMER_GROUP,
  ).toBe("mine");
});

it("refuses CONSUMER_GROUP for several projections started in-process too, before connecting anything", async () => {
  // Nothing listens on port 1: a start that went on to connect would fail otherwise.
  const settings = readProjectorSettings(
    { port: 0 },
    { CONSUMER_GROUP: "mine", KAFKA_BROKERS: "127.0.0.1:1", MONGODB_URI: "mongodb://127.0.0.1:1" },
  );
  const started = startProjector(Object.values(projections), settings, createLogger("test", "silent"));
  await expect(started).rejects.toThrow(SettingsError);
  await expect(started).rejects.toThrow(/CONSUMER_GROUP: names one projection's group/);
});

it("names every problem in one message: PROJECTIONS, malformed settings, CONSUMER_GROUP", () => {
  expect(
    problemsOf({
      PROJECTIONS: "status,template-statuses",
      MAX_BATCH_BYTES: "0",
      FETCH_MAX_WAIT_MS: "5s",
      PORT: "70000",
    }),
  ).toEqual({
    PROJECTIONS:
      'malformed: "status,template-statuses" names "template-statuses", not status, conversation, templates, account, phone-number, calls, payments, groups',
    MAX_BATCH_BYTES: 'malformed: "0" is not a positive integer',
    FETCH_MAX_WAIT_MS: 'malformed: "5s" is not a positive integer',
    PORT: 'malformed: "70000" is not a TCP port (0: any free port)',
  });
  expect(
    Object.keys(
      problemsOf({ PROJECTIONS: "status,conversation", CONSUMER_GROUP: "mine", STALL_AFTER_MS: "-1" }),
    ).sort(),
  ).toEqual(["CONSUMER_GROUP", "STALL_AFTER_MS"]);
});

describe("with a .env file", () => {
  const directory = mkdtempSync(path.join(tmpdir(), "projector-dotenv-"));
  const startedIn = process.cwd();
  const saved = { ...process.env };

  beforeAll(() => {
    writeFileSync(
      path.join(directory, ".env"),
      "PROJECTIONS=conversation\nSTALL_AFTER_MS=1234\nFETCH_MAX_WAIT_MS=100\n",
    );
    for (const name of ["PROJECTIONS", "PROJECTION", "STALL_AFTER_MS", "PORT"]) delete process.env[name];
    process.env.FETCH_MAX_WAIT_MS = "200";
    process.chdir(directory);
  });
  afterAll(() => {
    process.chdir(startedIn);
    process.env = saved;
    rmSync(directory, { recursive: true, force: true });
  });

  it("reads PROJECTIONS from it like every other variable; the environment wins", () => {
    const fromDotenv = readProjectorProcess(projections);
    expect(fromDotenv.projections.map((projection) => projection.name)).toEqual(["conversation"]);
    expect(fromDotenv.settings).toMatchObject({ PORT: 3002, STALL_AFTER_MS: 1234, FETCH_MAX_WAIT_MS: 200 });
  });
});
