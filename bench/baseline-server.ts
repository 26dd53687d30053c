import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { verifySignature } from "../ingress/domain/signature";
import { createKafka, idempotentProducer } from "../runtime/kafka-client";
import { kafkaConnectionOf, kafkaSettingSpecs } from "../runtime/kafka-settings";
import { createLogger } from "../runtime/logger";
import { readSettings } from "../runtime/settings";

/**
 * The bare baseline `make bench` measures the ingress against: node:http, the same HMAC check and the
 * same kafkajs producer settings (idempotent, one request in flight, acks=all, murmur2 partitioner), and
 * nothing else: no Koa, no parsing, no Avro, no tracing. It writes each signed body as one record.
 * Settings: PORT, KAFKA_BROKERS (and the other KAFKA_* settings), BASELINE_TOPIC, WHATSAPP_APP_SECRET.
 */
async function main(): Promise<void> {
  const logger = createLogger("bench-baseline", "warn");
  const topic = process.env.BASELINE_TOPIC!;
  const secrets = [process.env.WHATSAPP_APP_SECRET!];
  const kafka = createKafka("bench-baseline", kafkaConnectionOf(readSettings(kafkaSettingSpecs)), logger);
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 3, configEntries: [{ name: "max.message.bytes", value: "16777216" }] },
      ],
    });
  }
  await admin.disconnect();
  const producer = kafka.producer(idempotentProducer);
  await producer.connect();

  const server = createServer((request, response) => {
    if (request.method === "GET" && request.url === "/readyz")
      return void response.writeHead(200).end("ready");
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const header = request.headers["x-hub-signature-256"];
      if (!verifySignature(body, typeof header === "string" ? header : undefined, secrets).valid) {
        return void response.writeHead(401).end("invalid X-Hub-Signature-256");
      }
      const requestId = randomUUID();
      producer.send({ topic, acks: -1, messages: [{ key: requestId, value: body }] }).then(
        () => response.writeHead(200, { "content-type": "text/plain" }).end("EVENT_RECEIVED"),
        () => response.writeHead(503).end("unavailable"),
      );
    });
  });
  server.listen(Number(process.env.PORT), "127.0.0.1");
  process.once("SIGTERM", () => {
    server.close();
    void producer.disconnect().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
