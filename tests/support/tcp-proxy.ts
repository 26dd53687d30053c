import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP proxy the test can cut (connections reset, new ones refused) and restore on the same port, or
 * make hold every answer (requests still reach the target and run; the client hears back only once
 * `releaseAnswers()` lets what was held through). Started `held`, it accepts connections but reaches the
 * target for none of them until `release()`.
 */
export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  holdAnswers(): void;
  releaseAnswers(): void;
  release(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  options: { held?: boolean } = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const answering = new Map<Socket, Socket>();
  let holding = false;
  let held = options.held ?? false;
  const waiting: Socket[] = [];
  const forward = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    answering.set(upstream, client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.once("close", () => {
        sockets.delete(socket);
        answering.delete(upstream);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    if (holding) upstream.pause();
    else upstream.pipe(client);
  };
  const server = createServer((client) => {
    if (!held) return forward(client);
    client.pause();
    client.on("error", () => undefined);
    sockets.add(client);
    waiting.push(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  await listen(0);
  const { port } = server.address() as { port: number };
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.resetAndDestroy();
    await closed;
  };
  return {
    port,
    cut,
    holdAnswers: () => {
      holding = true;
      for (const [upstream, client] of answering) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    releaseAnswers: () => {
      holding = false;
      for (const [upstream, client] of answering) upstream.pipe(client);
    },
    release: () => {
      held = false;
      for (const client of waiting.splice(0)) if (!client.destroyed) forward(client);
    },
    restore: () => listen(port),
    close: () => (server.listening ? cut() : Promise.resolve()),
  };
}
