import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { eventually } from "../support/event-producer";
import { buildImageNatively, type NativeImage } from "../support/image-dry-run";
import { startServiceProcess, type ProcessPlace, type ServiceProcess } from "../support/service-process";
import { serviceNodeFlags } from "../support/service-node-flags";
import { postWebhook } from "../support/webhook-client";

// The image's build steps reproduced natively (no Docker engine here): the Dockerfile's stages built in a
// scratch folder by tests/support/image-dry-run.ts, then the ingress and a projector started from the last
// stage's files alone, as a user who cannot write them, against the stack. A runtime dependency pruned
// away, or a file the image does not copy, fails here.
const repositoryRoot = path.resolve(__dirname, "../..");
const appSecret = "e2e-image-secret";
const env = {
  TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}image.`,
  MONGODB_DB: `whatsapp_test_${process.env.TEST_RUN_ID}_image_e2e`,
  WHATSAPP_APP_SECRET: appSecret,
  WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-image-verify",
  LOG_LEVEL: "warn",
};
/** npm install, build and prune: a few minutes on a cold npm cache. */
const buildTimeoutMs = 15 * 60_000;
const scratch = mkdtempSync(path.join(tmpdir(), "whatsapp-events-image-"));
const services: ServiceProcess[] = [];
let image: NativeImage;

beforeAll(async () => {
  image = await buildImageNatively(repositoryRoot, scratch);
  console.log(
    `[image dry run] ${image.runSeconds.map(({ step, seconds }) => `RUN ${step}: ${seconds.toFixed(1)} s`).join("; ")}`,
  );
}, buildTimeoutMs);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  rmSync(scratch, { recursive: true, force: true });
});

/** As the image's USER would: not root, so the image's files are read-only to the services. */
const asUnprivileged = (): ProcessPlace =>
  process.getuid?.() === 0 ? { cwd: image.root, uid: 65534, gid: 65534 } : { cwd: image.root };

it("runs as a user other than root, with a health check", () => {
  expect(image.user).toBeDefined();
  expect(["root", "0"]).not.toContain(image.user);
  expect(image.healthcheck).toBeDefined();
});

it("holds every entry point that package.json, docker-compose.yml and the Helm chart run", () => {
  const helm = path.join(repositoryRoot, "deploy/helm");
  const filesOf = (folder: string) =>
    readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
  const sources = [
    path.join(repositoryRoot, "package.json"),
    path.join(repositoryRoot, "docker-compose.yml"),
    ...(existsSync(helm) ? filesOf(helm) : []),
  ];
  const entries = new Set(
    sources.flatMap((file) => readFileSync(file, "utf8").match(/dist\/[\w/.-]+\.js/g) ?? []),
  );
  entries.add(image.cmd.at(-1)!);
  expect(entries).toContain("dist/projector/main.js");
  expect([...entries].filter((entry) => !existsSync(path.join(image.root, entry)))).toEqual([]);
});

it("starts the ingress and a projector from the image's files: a signed POST 200, ready, the event applied", async () => {
  const runtimeEnv = { ...env, ...image.env };
  expect(image.cmd.slice(0, -1)).toEqual(["node", ...serviceNodeFlags]);
  const ingress = await startServiceProcess(
    "image-ingress",
    image.cmd.at(-1)!,
    runtimeEnv,
    60_000,
    undefined,
    asUnprivileged(),
  );
  services.push(ingress);
  const projector = await startServiceProcess(
    "image-projector",
    "dist/projector/main.js",
    runtimeEnv,
    90_000,
    undefined,
    asUnprivileged(),
  );
  services.push(projector);

  const id = wamid();
  const answer = await postWebhook(
    ingress.baseUrl,
    statusDelivery([statusObject(id, "delivered", 1750264000)]),
    {
      appSecret,
    },
  );
  expect(answer.status).toBe(200);
  await eventually(
    () => fetch(`${projector.operationsUrl}/metrics`).then((response) => response.text()),
    (metrics) =>
      /whatsapp_projector_events_applied_total\{[^}]*projection="status"[^}]*\} [1-9]/.test(metrics),
    60_000,
  );

  // The image's HEALTHCHECK, run as Docker would inside the ingress's container: passes, and fails on a
  // port nothing answers on.
  const [command, ...args] = image.healthcheck!;
  expect(command).toBe("node");
  const healthcheck = (opsPort: string) =>
    spawnSync(process.execPath, args, {
      cwd: image.root,
      env: { ...process.env, NODE_OPTIONS: "", ...image.env, OPS_PORT: opsPort },
      timeout: 10_000,
    }).status;
  expect(healthcheck(new URL(ingress.operationsUrl).port)).toBe(0);
  expect(healthcheck("1")).toBe(1);

  expect(await Promise.all([ingress.stop(), projector.stop()])).toEqual([0, 0]);
});
