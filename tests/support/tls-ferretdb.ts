import { connect } from "node:net";
import path from "node:path";
import { nativeStackPart, startOwnServerProcess } from "./own-server-process";
import { freePort } from "./service-process";
import type { TestCertificates } from "./test-certificates";

/** A MongoDB-wire server of a test's own that speaks TLS only, with the test's certificate. */
export interface TlsFerretdb {
  /** Its address, without TLS options (the settings under test add them). */
  uri: string;
  stop(): Promise<void>;
}

const portAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });

/**
 * Starts the native stack's FerretDB (`deploy/native/install.sh ferretdb` finds or builds it) with a TLS
 * listener only, on a free port of 127.0.0.1, over the native stack's PostgreSQL (POSTGRES_PORT, 5433 by
 * default). Tests isolate their data by database name, as on the stack's own FerretDB.
 */
export async function startTlsFerretdb(
  directory: string,
  certificates: TestCertificates,
): Promise<TlsFerretdb> {
  const binary = nativeStackPart("ferretdb");
  const port = await freePort();
  const postgresPort = process.env.POSTGRES_PORT ?? "5433";
  const server = startOwnServerProcess(
    binary,
    [
      "--handler=pg",
      `--postgresql-url=postgres://postgres@127.0.0.1:${postgresPort}/ferretdb?pool_max_conns=20`,
      "--listen-addr=",
      `--listen-tls=127.0.0.1:${port}`,
      `--listen-tls-cert-file=${certificates.serverCertificateFile}`,
      `--listen-tls-key-file=${certificates.serverKeyFile}`,
      "--debug-addr=127.0.0.1:0",
      `--state-dir=${directory}`,
      "--telemetry=disable",
      "--log-level=warn",
    ],
    path.join(directory, "ferretdb.log"),
  );
  await server.waitUntil(() => portAnswers(port), 30_000);
  return { uri: `mongodb://127.0.0.1:${port}/`, stop: () => server.stop() };
}
