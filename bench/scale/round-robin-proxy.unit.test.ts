import { connect, createServer, type Server } from "node:net";
import { freePort } from "../../tests/support/service-process";
import { RoundRobinProxy } from "./round-robin-proxy";

/** A loopback server that answers every connection with its name and closes it. */
async function namedServer(name: string, port: number): Promise<Server> {
  const server = createServer((socket) => socket.end(name));
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

/** What one connection through the proxy reads before it closes ("" when closed without a byte). */
function readThrough(address: string): Promise<string> {
  const { port } = new URL(address);
  return new Promise((resolve) => {
    let read = "";
    const socket = connect({ host: "127.0.0.1", port: Number(port) });
    socket.on("data", (chunk) => (read += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(read));
  });
}

describe("the round-robin proxy before the ingresses", () => {
  const servers: Server[] = [];
  let proxy: RoundRobinProxy;
  afterEach(async () => {
    await proxy.close();
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  it("sends each new connection to the next backend in turn", async () => {
    const ports = [await freePort(), await freePort()];
    servers.push(await namedServer("a", ports[0]!), await namedServer("b", ports[1]!));
    proxy = new RoundRobinProxy([
      { name: "a", port: ports[0]! },
      { name: "b", port: ports[1]! },
    ]);
    const address = await proxy.listen();
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await readThrough(address));
    expect(answers).toEqual(["a", "b", "a", "b"]);
    expect(proxy.backends.map((b) => b.connections)).toEqual([2, 2]);
  });

  it("closes the client's connection when its backend refuses, then passes that backend over", async () => {
    const ports = [await freePort(), await freePort()];
    servers.push(await namedServer("a", ports[0]!));
    proxy = new RoundRobinProxy(
      [
        { name: "a", port: ports[0]! },
        { name: "down", port: ports[1]! },
      ],
      60_000,
    );
    const address = await proxy.listen();
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await readThrough(address));
    expect(answers).toEqual(["a", "", "a", "a"]);
    expect(proxy.backends[1]).toMatchObject({ connections: 1, refused: 1 });
  });
});
