import { connect, createServer, type Server, type Socket } from "node:net";
import { Agent, request } from "undici";
import type { DeliveryPost } from "../signed-load";
import { webhookPath } from "../http-load";

/** One service behind the proxy, with what the proxy sent it. */
export interface Backend {
  name: string;
  port: number;
  /** Connections the proxy opened to it. */
  connections: number;
  /** Of those, connections it refused (nothing listening): the client's connection was closed. */
  refused: number;
  /** Until when it is passed over after a refusal (epoch ms). */
  heldDownUntil: number;
}

/**
 * A layer-4 balancer on loopback, as a cloud load balancer or kube-proxy puts one address before the
 * replicas of a service: each new client connection goes to the next backend in turn, and a backend
 * that refused a connection is passed over for `holdDownMs`. It retries nothing: a client whose backend
 * failed sees its connection closed without an answer and sends again, as Meta does.
 */
export class RoundRobinProxy {
  readonly backends: Backend[];
  private next = 0;
  private readonly server: Server;
  private readonly open = new Set<Socket>();

  constructor(
    backends: readonly { name: string; port: number }[],
    private readonly holdDownMs = 2000,
  ) {
    this.backends = backends.map(({ name, port }) => ({
      name,
      port,
      connections: 0,
      refused: 0,
      heldDownUntil: 0,
    }));
    this.server = createServer((client) => this.route(client));
  }

  /** Listens on a free loopback port; returns the base URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The next backend in turn that is not held down; the next in turn when all are. */
  private pick(): Backend {
    const now = Date.now();
    for (let tried = 0; tried < this.backends.length; tried++) {
      const backend = this.backends[this.next++ % this.backends.length]!;
      if (backend.heldDownUntil <= now) return backend;
    }
    return this.backends[this.next++ % this.backends.length]!;
  }

  private route(client: Socket): void {
    const backend = this.pick();
    backend.connections++;
    const upstream = connect({ host: "127.0.0.1", port: backend.port });
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.once("close", () => this.open.delete(socket));
    }
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on("error", () => {
      if (!connected) {
        backend.refused++;
        backend.heldDownUntil = Date.now() + this.holdDownMs;
      }
    });
    client.on("error", () => upstream.destroy());
    // A side that closed with an error (a killed ingress resets its connections) takes the other down at once.
    upstream.once("close", (hadError) => (hadError || !connected ? client.destroy() : client.end()));
    client.once("close", (hadError) => (hadError ? upstream.destroy() : upstream.end()));
  }
}

/**
 * Posts deliveries through keep-alive connections that close after `requestsPerConnection` requests:
 * Meta spreads its deliveries over many connections, so a balancer in front sees new ones all the time
 * and a restarted backend gets its share again.
 */
export function recycledConnections(requestsPerConnection: number): DeliveryPost {
  const dispatcher = new Agent({ maxRequestsPerClient: requestsPerConnection });
  return async (baseUrl, delivery, signal) => {
    const answer = await request(`${baseUrl}${webhookPath}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": delivery.signature },
      body: delivery.body,
      dispatcher,
      signal,
    });
    await answer.body.dump();
    const requestId = answer.headers["x-request-id"];
    return { status: answer.statusCode, requestId: typeof requestId === "string" ? requestId : null };
  };
}
