import net from "node:net";
import { sign, statusPayload } from "./delivery-mix";

/**
 * The senders of the overload fault, as a process of their own (forked by signed-flood.ts) so that their
 * sockets cost neither the event loop of the harness nor anything after a stop. Each sender is one
 * keep-alive connection in a closed loop: it POSTs a signed delivery of 100 statuses, reads the answer
 * through, and sends a new one after a 200; after anything else the same delivery again (as Meta
 * retries), once the answer's Retry-After has passed, or `pauseAfterFailureMs` without one. An answer with `Connection: close` is read whole, then the sender
 * opens a new connection. Raw sockets, so that every request ends in exactly one outcome: an answer
 * (its status, and whether a 503 carried Retry-After), a reset, a close before the answer, or no answer
 * in time. Loopback only.
 */
export interface SenderSettings {
  port: number;
  path: string;
  runId: string;
  appSecret: string;
  /** Distinct deliveries the senders cycle through. */
  distinctDeliveries: number;
  pauseAfterFailureMs: number;
  answerTimeoutMs: number;
}

/** Parent -> senders: run this many connections from now, labelling their requests `phase`; or stop. */
export type SenderCommand = { connections: number; phase: string } | "stop";

/** One request's end: when it was sent and answered (ms since the epoch), its phase and its outcome. */
export interface RequestOutcome {
  phase: string;
  sentAt: number;
  endedAt: number;
  outcome: Outcome;
  /** X-Request-Id of a 200: the audit looks for it in the raw topic. */
  requestId?: string;
}

export type Outcome =
  | "200"
  | "503 with Retry-After"
  | "503 without Retry-After"
  | `${number}`
  | "reset"
  | "socket error"
  | "closed before an answer"
  | "no answer in time"
  | "connect failed";

export interface SenderReport {
  outcomes: RequestOutcome[];
  /** Most connections open at once, as the senders counted them (established, not yet closed). */
  peakOpenConnections: number;
}

interface Answer {
  status: number;
  headers: Map<string, string>;
}

/** The answer's head once complete, and how many body bytes follow it; undefined until the head is in. */
function parseHead(buffer: Buffer): { answer: Answer; headLength: number; bodyLength: number } | undefined {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? 0);
  return {
    answer: { status, headers },
    headLength: end + 4,
    bodyLength: Number(headers.get("content-length") ?? 0),
  };
}

const outcomeOf = ({ status, headers }: Answer): Outcome =>
  status === 200
    ? "200"
    : status === 503
      ? headers.has("retry-after")
        ? "503 with Retry-After"
        : "503 without Retry-After"
      : `${status}`;

/** One keep-alive connection: sends a request on it and resolves with its outcome; reconnects when needed. */
class Connection {
  private socket: net.Socket | undefined;
  private received: Buffer = Buffer.alloc(0);
  private waiter: ((result: { answer?: Answer; failure?: Outcome }) => void) | undefined;

  constructor(
    private readonly settings: SenderSettings,
    private readonly opened: (delta: number) => void,
  ) {}

  /** Sends `request` (head and body, one buffer: a copy per request would be the senders' own CPU). */
  async request(request: Buffer): Promise<{ outcome: Outcome; requestId?: string; retryAfterMs?: number }> {
    if (!this.socket) {
      const connected = await this.connect();
      if (!connected) return { outcome: "connect failed" };
    }
    const socket = this.socket!;
    const result = await new Promise<{ answer?: Answer; failure?: Outcome }>((resolve) => {
      const timer = setTimeout(
        () => this.settle({ failure: "no answer in time" }),
        this.settings.answerTimeoutMs,
      );
      this.waiter = (settled) => {
        clearTimeout(timer);
        resolve(settled);
      };
      socket.write(request);
    });
    if (!result.answer) {
      this.close();
      return { outcome: result.failure! };
    }
    if (/close/i.test(result.answer.headers.get("connection") ?? "")) this.close();
    const requestId = result.answer.headers.get("x-request-id");
    const retryAfter = Number(result.answer.headers.get("retry-after"));
    return {
      outcome: outcomeOf(result.answer),
      ...(requestId ? { requestId } : {}),
      ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: this.settings.port });
      socket.setNoDelay(true);
      let established = false;
      socket.once("connect", () => {
        established = true;
        this.socket = socket;
        this.received = Buffer.alloc(0);
        this.opened(1);
        resolve(true);
      });
      socket.on("data", (chunk: Buffer) => this.onData(chunk));
      socket.on("error", (error: NodeJS.ErrnoException) => {
        if (!established) return resolve(false);
        // A write into a connection the server reset fails with EPIPE: no answer either.
        this.settle({
          failure: error.code === "ECONNRESET" || error.code === "EPIPE" ? "reset" : "socket error",
        });
      });
      socket.once("close", () => {
        if (established) this.opened(-1);
        if (this.socket === socket) this.socket = undefined;
        this.settle({ failure: "closed before an answer" });
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    const head = parseHead(this.received);
    if (!head || this.received.length < head.headLength + head.bodyLength) return;
    this.received = this.received.subarray(head.headLength + head.bodyLength);
    this.settle({ answer: head.answer });
  }

  private settle(result: { answer?: Answer; failure?: Outcome }): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(result);
  }
}

const report: SenderReport = { outcomes: [], peakOpenConnections: 0 };
let openConnections = 0;
let phase = "";
let wanted = 0;
let stopping = false;
let sequence = 0;
const loops = new Set<Promise<void>>();
/** Senders whose loop still runs: one leaving after a phase with fewer connections goes on if it is wanted again. */
const running = new Set<number>();

const opened = (delta: number) => {
  openConnections += delta;
  report.peakOpenConnections = Math.max(report.peakOpenConnections, openConnections);
};

/** 100 statuses of Meta's shape (sent, with conversation and pricing): about 27 KB signed. */
function floodDeliveries(settings: SenderSettings): { request: Buffer; bodyBytes: number }[] {
  return Array.from({ length: settings.distinctDeliveries }, (_, d) => {
    const statuses = Array.from({ length: 100 }, (_, s) => ({
      wamid: `wamid.${settings.runId}.flood${d}.${s}`,
      status: "sent" as const,
      timestamp: 1_750_200_000 + d,
    }));
    const { body, signature } = sign(
      {
        kind: "statuses",
        payload: statusPayload(statuses),
        effects: { statuses, inbound: [], otherChanges: 0 },
      },
      settings.appSecret,
    );
    const head = Buffer.from(
      `POST ${settings.path} HTTP/1.1\r\nhost: 127.0.0.1:${settings.port}\r\ncontent-type: application/json\r\n` +
        `x-hub-signature-256: ${signature}\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    return { request: Buffer.concat([head, body]), bodyBytes: body.length };
  });
}

async function senderLoop(
  index: number,
  settings: SenderSettings,
  deliveries: { request: Buffer; bodyBytes: number }[],
): Promise<void> {
  const connection = new Connection(settings, opened);
  let delivery = deliveries[sequence++ % deliveries.length]!;
  while (!stopping && index < wanted) {
    const sentAt = Date.now();
    const sentIn = phase;
    const { outcome, requestId, retryAfterMs } = await connection.request(delivery.request);
    report.outcomes.push({
      phase: sentIn,
      sentAt,
      endedAt: Date.now(),
      outcome,
      ...(requestId ? { requestId } : {}),
    });
    if (outcome === "200") delivery = deliveries[sequence++ % deliveries.length]!;
    else await new Promise((resolve) => setTimeout(resolve, retryAfterMs ?? settings.pauseAfterFailureMs));
  }
  connection.close();
}

process.once("message", (settings: SenderSettings) => {
  const deliveries = floodDeliveries(settings);
  process.on("message", (command: SenderCommand) => {
    if (command === "stop") {
      stopping = true;
      void Promise.all(loops).then(() => process.send!(report, () => process.exit(0)));
      return;
    }
    phase = command.phase;
    const from = wanted;
    wanted = command.connections;
    for (let index = from; index < wanted; index++) {
      if (running.has(index)) continue;
      running.add(index);
      const loop = senderLoop(index, settings, deliveries).finally(() => {
        loops.delete(loop);
        running.delete(index);
      });
      loops.add(loop);
    }
  });
  process.send!({ bodyBytes: deliveries[0]!.bodyBytes });
});
