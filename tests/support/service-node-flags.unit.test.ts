import { readFileSync } from "node:fs";
import path from "node:path";
import { serviceNodeFlags } from "./service-node-flags";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** Every exec-form `["node", ..., "dist/<service>/main.js"]` of a file, as argument lists. */
const execFormCommands = (text: string) =>
  [...text.matchAll(/\["node",([^\]]*?)"dist\/(?:ingress|projector)\/main\.js"\]/g)].map((match) =>
    [...match[1]!.matchAll(/"([^"]+)"/g)].map((flag) => flag[1]),
  );

describe("the flags a service's node runs with", () => {
  it.each([
    ["Dockerfile", 1],
    ["docker-compose.yml", 2],
    ["deploy/helm/whatsapp-events/templates/ingress-deployment.yaml", 1],
    ["deploy/helm/whatsapp-events/templates/projector-deployments.yaml", 1],
  ])("are the same in %s", (file, services) => {
    const commands = execFormCommands(read(file));
    expect(commands).toHaveLength(services);
    for (const flags of commands) expect(flags).toEqual(serviceNodeFlags);
  });

  it("are the same in the native stack's start", () => {
    expect(read("deploy/native/services.sh")).toContain(`node ${serviceNodeFlags.join(" ")} "$entry"`);
  });
});
