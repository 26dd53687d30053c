import { connect } from "node:net";
import { startIngress } from "../../ingress/ingress-service";
import { readIngressSettings } from "../../ingress/ingress-settings";
import { eventually } from "../support/event-producer";
import { recordingLogger, type LogLine } from "../support/http-harness";

// The ingress's limits on a request's arrival (docs/operations.md, the ingress's settings and answers),
// against the real stack with small settings: each slow sender gets the documented answer and its
// connection closed, and the ingress logs it in one line.
const webhook = "/api/integrations/webhooks/whatsapp/";
// Well-formed, so that the request is not refused before its body is read.
const signatureHeader = `X-Hub-Signature-256: sha256=${"0".repeat(64)}`;
const nodeTimeoutAnswer = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
const nodeTimeoutLog = "request not received in time; connection closed";
const bodyTimeoutLog = "body not received in time; answering 408 and closing the connection";

interface TestIngress {
  port: number;
  /** Warnings and errors of the ingress itself (kafkajs's own lines left out), since the last clear. */
  warnings(): LogLine[];
  clearLog(): void;
  /** Resolves once the ingress holds no webhook request: everything it logs for them is logged. */
  settled(): Promise<unknown>;
  stop(): Promise<void>;
}

async function startTestIngress(name: string, limits: Record<string, string>): Promise<TestIngress> {
  const { logger, lines } = recordingLogger();
  const ingress = await startIngress(
    readIngressSettings({
      ...process.env,
      TOPIC_PREFIX: `${process.env.TOPIC_PREFIX}${name}.`,
      PORT: "0",
      OPS_PORT: "0",
      WHATSAPP_APP_SECRET: `${name}-secret`,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: `${name}-token`,
      ...limits,
    }),
    logger,
  );
  const metricsUrl = `http://127.0.0.1:${ingress.operationsPort}/metrics`;
  return {
    port: ingress.port,
    warnings: () => lines.filter((line) => line.level >= 40 && line.component !== "kafkajs"),
    clearLog: () => void (lines.length = 0),
    settled: () =>
      eventually<string>(
        () => fetch(metricsUrl).then((response) => response.text()),
        (text) => /^whatsapp_ingress_in_flight_requests\{[^}]*\} 0$/m.test(text),
      ),
    stop: () => ingress.stop(),
  };
}

/** What a raw client heard: every byte until the server closed the connection, and when it closed. */
interface Exchange {
  answer: string;
  closedAfterMs: number;
}

/**
 * Sends `chunks` on one connection, each `[delay since the previous one (ms), text]`, and reads until the
 * server closes the connection; fails when it is still open after `giveUpMs`.
 */
function exchange(port: number, chunks: [number, string][], giveUpMs = 30_000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection still open after ${giveUpMs} ms; heard ${JSON.stringify(answer)}`));
    }, giveUpMs);
    socket.on("data", (data) => (answer += data.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    const sendFrom = (index: number) => {
      const next = chunks[index];
      if (!next) return;
      timer = setTimeout(() => {
        if (socket.writable) socket.write(next[1]);
        sendFrom(index + 1);
      }, next[0]);
    };
    socket.once("connect", () => sendFrom(0));
  });
}

const postHeaders = (contentLength: number) =>
  [
    `POST ${webhook} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Content-Type: application/json",
    signatureHeader,
    `Content-Length: ${contentLength}`,
  ].join("\r\n") + "\r\n\r\n";

/** `count` chunks of `text`, one every `everyMs`. */
const drip = (count: number, everyMs: number, text: string): [number, string][] =>
  Array.from({ length: count }, () => [everyMs, text]);

describe("HEADERS_TIMEOUT_MS 2000, REQUEST_TIMEOUT_MS and BODY_READ_TIMEOUT_MS 6000", () => {
  let ingress: TestIngress;

  beforeAll(async () => {
    ingress = await startTestIngress("arrival-timeouts", {
      HEADERS_TIMEOUT_MS: "2000",
      REQUEST_TIMEOUT_MS: "6000",
      BODY_READ_TIMEOUT_MS: "6000",
      MIN_BODY_BYTES_PER_SECOND: "1",
    });
  });
  afterAll(() => ingress?.stop());
  beforeEach(() => ingress.clearLog());

  it("answers headers that do not arrive within HEADERS_TIMEOUT_MS with 408, closes the connection, logs it once", async () => {
    const heard = await exchange(ingress.port, [[0, `POST ${webhook} HTTP/1.1\r\nHost: 127.0.0.1\r\n`]]);
    expect(heard.answer).toBe(nodeTimeoutAnswer);
    // Cut by the headers timeout, not by the request timeout.
    expect(heard.closedAfterMs).toBeLessThan(6000);
    await ingress.settled();
    expect(ingress.warnings()).toEqual([
      expect.objectContaining({ code: "ERR_HTTP_REQUEST_TIMEOUT", msg: nodeTimeoutLog }),
    ]);
  });

  it("answers a request not whole within REQUEST_TIMEOUT_MS with 408, closes the connection, logs it once", async () => {
    // Headers over 1.5 s (within their timeout), then a body at 5 bytes a second (above its minimum
    // rate): the request timeout, counted from the first byte, comes before the body's read timeout.
    const headers = postHeaders(100);
    const heard = await exchange(ingress.port, [
      [0, headers.slice(0, 20)],
      [1500, headers.slice(20)],
      ...drip(60, 200, "x"),
    ]);
    expect(heard.answer).toBe(nodeTimeoutAnswer);
    await ingress.settled();
    expect(ingress.warnings()).toEqual([
      expect.objectContaining({ code: "ERR_HTTP_REQUEST_TIMEOUT", msg: nodeTimeoutLog }),
    ]);
  });
});

describe("BODY_READ_TIMEOUT_MS 5000, MIN_BODY_BYTES_PER_SECOND 1000", () => {
  let ingress: TestIngress;

  beforeAll(async () => {
    ingress = await startTestIngress("arrival-body", {
      REQUEST_TIMEOUT_MS: "30000",
      BODY_READ_TIMEOUT_MS: "5000",
      MIN_BODY_BYTES_PER_SECOND: "1000",
    });
  });
  afterAll(() => ingress?.stop());
  beforeEach(() => ingress.clearLog());

  const bodyTimeoutAnswer =
    /^HTTP\/1\.1 408 Request Timeout\r\n(.+\r\n)*Connection: close\r\n(.+\r\n)*\r\nbody not received in time$/i;

  it("answers a body not whole within BODY_READ_TIMEOUT_MS with 408, closes the connection, logs it once", async () => {
    // 2,000 bytes a second, above the minimum rate, of a body that never ends.
    const heard = await exchange(ingress.port, [
      [0, postHeaders(1_000_000)],
      ...drip(100, 100, "x".repeat(200)),
    ]);
    expect(heard.answer).toMatch(bodyTimeoutAnswer);
    // Cut by this setting, not by its default (15 s).
    expect(heard.closedAfterMs).toBeLessThan(15_000);
    await ingress.settled();
    expect(ingress.warnings()).toEqual([
      expect.objectContaining({ timeoutMs: 5000, length: 1_000_000, msg: bodyTimeoutLog }),
    ]);
  });

  it("answers a body arriving slower than MIN_BODY_BYTES_PER_SECOND with 408 before the read timeout, closes the connection, logs it once", async () => {
    // 100 bytes a second against the 1,000 wanted.
    const heard = await exchange(ingress.port, [
      [0, postHeaders(100_000)],
      ...drip(100, 100, "x".repeat(10)),
    ]);
    expect(heard.answer).toMatch(bodyTimeoutAnswer);
    expect(heard.closedAfterMs).toBeLessThan(5000);
    await ingress.settled();
    expect(ingress.warnings()).toEqual([
      expect.objectContaining({ minBodyBytesPerSecond: 1000, length: 100_000, msg: bodyTimeoutLog }),
    ]);
  });
});
