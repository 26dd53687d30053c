import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TestCertificates } from "./test-certificates";

/** A registry as a managed one is reached: https with the test's certificate, basic credentials required. */
export interface RegistryTlsProxy {
  /** The base URL clients are given: https on loopback, the upstream's path. */
  url: string;
  /** Requests answered 401 (no or wrong credentials), and requests forwarded. */
  readonly counts: { refused: number; forwarded: number };
  stop(): Promise<void>;
}

/**
 * An https server on a free port of 127.0.0.1 that answers 401 (as Confluent Cloud does) to any request
 * without `credentials` and forwards the others, their Authorization header removed, to `upstream` (the
 * stack's plain-http registry).
 */
export async function startRegistryTlsProxy(
  upstream: string,
  certificates: TestCertificates,
  credentials: { username: string; password: string },
): Promise<RegistryTlsProxy> {
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  const target = new URL(upstream);
  const counts = { refused: 0, forwarded: 0 };
  const server = createServer(
    { key: readFileSync(certificates.serverKeyFile), cert: readFileSync(certificates.serverCertificateFile) },
    (incoming, answer) => {
      if (incoming.headers.authorization !== expected) {
        counts.refused += 1;
        incoming.resume();
        answer.writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": 'Basic realm="registry"',
        });
        answer.end(JSON.stringify({ error_code: 401, message: "Unauthorized" }));
        return;
      }
      counts.forwarded += 1;
      const { authorization: _, host: __, ...headers } = incoming.headers;
      const forwarded = request(
        { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers },
        (response) => {
          answer.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(answer);
        },
      );
      forwarded.on("error", () => answer.writeHead(502).end());
      incoming.pipe(forwarded);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${target.pathname.replace(/\/$/, "")}`,
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
