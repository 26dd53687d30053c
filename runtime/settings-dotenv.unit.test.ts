import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readSettings, stackSettingSpecs } from "./settings";

// docs/operations.md (#settings): environment variables, with `.env` read when present; the environment wins.
const directory = mkdtempSync(path.join(tmpdir(), "settings-dotenv-"));
const startedIn = process.cwd();
const saved = { ...process.env };

beforeAll(() => {
  writeFileSync(
    path.join(directory, ".env"),
    "MONGODB_DB=from_dotenv\nLOG_LEVEL=debug\nTOPIC_PREFIX=dotenv.\n",
  );
  for (const name of Object.keys(stackSettingSpecs)) delete process.env[name];
  process.env.LOG_LEVEL = "warn";
  process.chdir(directory);
});
afterAll(() => {
  process.chdir(startedIn);
  process.env = saved;
  rmSync(directory, { recursive: true, force: true });
});

it("reads .env from the working directory, and the environment wins over it", () => {
  expect(readSettings(stackSettingSpecs)).toMatchObject({
    MONGODB_DB: "from_dotenv",
    TOPIC_PREFIX: "dotenv.",
    LOG_LEVEL: "warn",
    KAFKA_BROKERS: ["127.0.0.1:9092"],
  });
});
