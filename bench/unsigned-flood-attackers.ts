import { randomBytes } from "node:crypto";
import net from "node:net";

/**
 * The attackers of the unsigned-flood fault, as a process of their own (forked by unsigned-flood.ts) so
 * that their sockets cost neither the event loop that times the signed load nor anything after a stop.
 * Loopback only. Unsigned: POSTs of a large body without a signature header, one after the other on each
 * of `unsignedConnections` loops. Slow: a signed-looking header, then 1 KB a second on each of
 * `slowConnections` loops. On "stop" every socket is destroyed and the counts are sent back.
 */
export interface AttackerSettings {
  port: number;
  path: string;
  unsignedConnections: number;
  unsignedBodyBytes: number;
  slowConnections: number;
  slowBodyBytes: number;
}

export interface AttackerReport {
  /** Answers (HTTP status) or how the connection ended without one, per kind of attacker. */
  unsigned: Record<string, number>;
  slow: Record<string, number>;
  /** Slow senders cut by the server: shortest and longest time from their headers to the cut, ms. */
  slowCutMs: { min: number; max: number };
  /** X-Request-Id of every answer: none of them may reach the raw topic. */
  requestIds: string[];
}

const sockets = new Set<net.Socket>();
const timers = new Set<NodeJS.Timeout>();
const report: AttackerReport = {
  unsigned: {},
  slow: {},
  slowCutMs: { min: Infinity, max: 0 },
  requestIds: [],
};
let running = true;

const count = (counts: Record<string, number>, outcome: string) => {
  counts[outcome] = (counts[outcome] ?? 0) + 1;
};

/** One request on a fresh connection; resolves with its answer's status or how it ended without one. */
function attempt(
  settings: AttackerSettings,
  headers: Record<string, string | number>,
  send: (socket: net.Socket) => void,
): Promise<{ outcome: string; afterMs: number }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port: settings.port });
    sockets.add(socket);
    let startedAt = Date.now();
    let response = "";
    let settled = false;
    const finish = (outcome: string) => {
      if (settled) return;
      settled = true;
      sockets.delete(socket);
      socket.destroy();
      resolve({ outcome, afterMs: Date.now() - startedAt });
    };
    socket.on("connect", () => {
      const head = Object.entries({ host: `127.0.0.1:${settings.port}`, ...headers })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.write(`POST ${settings.path} HTTP/1.1\r\n${head}\r\n`);
      startedAt = Date.now();
      send(socket);
    });
    socket.on("data", (chunk) => {
      response += chunk.toString("latin1");
      const end = response.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = response.slice(0, end);
      const requestId = /^x-request-id:\s*(\S+)/im.exec(head)?.[1];
      if (requestId) report.requestIds.push(requestId);
      finish(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? "unparsable answer");
    });
    socket.on("error", () => finish(running ? "connection reset before an answer" : "stopped"));
    socket.on("close", () => finish(running ? "closed before an answer" : "stopped"));
    socket.setTimeout(60_000, () => finish("no answer within 60 s"));
  });
}

async function unsignedLoop(settings: AttackerSettings, body: Buffer): Promise<void> {
  const headers = { "content-type": "application/json", "content-length": body.length };
  while (running) {
    const { outcome } = await attempt(settings, headers, (socket) => socket.write(body));
    if (running || outcome !== "stopped") count(report.unsigned, outcome);
  }
}

async function slowLoop(settings: AttackerSettings): Promise<void> {
  const kilobyte = Buffer.alloc(1024, 0x20);
  while (running) {
    const headers = {
      "content-type": "application/json",
      "content-length": settings.slowBodyBytes,
      "x-hub-signature-256": `sha256=${randomBytes(32).toString("hex")}`,
    };
    let timer: NodeJS.Timeout | undefined;
    const { outcome, afterMs } = await attempt(settings, headers, (socket) => {
      timer = setInterval(() => socket.write(kilobyte), 1000);
      timers.add(timer);
    });
    clearInterval(timer);
    timers.delete(timer!);
    if (!running && outcome === "stopped") continue;
    count(report.slow, outcome);
    report.slowCutMs.min = Math.min(report.slowCutMs.min, afterMs);
    report.slowCutMs.max = Math.max(report.slowCutMs.max, afterMs);
  }
}

process.once("message", (settings: AttackerSettings) => {
  const body = Buffer.alloc(settings.unsignedBodyBytes, 0x20);
  const loops = [
    ...Array.from({ length: settings.unsignedConnections }, () => unsignedLoop(settings, body)),
    ...Array.from({ length: settings.slowConnections }, () => slowLoop(settings)),
  ];
  process.once("message", () => {
    running = false;
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) socket.destroy();
    void Promise.all(loops).then(() => process.send!(report, () => process.exit(0)));
  });
  process.send!("started");
});
