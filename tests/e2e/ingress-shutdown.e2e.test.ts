import { request } from "node:http";
import { topicName } from "../../contracts/topics";
import { signBody } from "../../ingress/domain/signature";
import { statusDelivery, statusObject, wamid } from "../fixtures/meta-webhooks";
import { readTopic } from "../support/kafka-records";
import { startServiceProcess } from "../support/service-process";
import { webhookPath } from "../support/webhook-client";

// The ingress as a process, stopped with SIGTERM while a signed POST is still arriving: it stops
// accepting, finishes that request (200 once the delivery is in Kafka), then exits 0.
const appSecret = "e2e-shutdown-secret";
const prefix = `${process.env.TOPIC_PREFIX}shutdown.`;

it("finishes a request in flight after SIGTERM, answers it 200, and exits 0", async () => {
  const ingress = await startServiceProcess("ingress", "dist/ingress/main.js", {
    TOPIC_PREFIX: prefix,
    WHATSAPP_APP_SECRET: appSecret,
    WHATSAPP_WEBHOOK_VERIFY_TOKEN: "e2e-verify",
    LOG_LEVEL: "warn",
    // The body below pauses for a second on purpose: the slow-body rule is not what this tests.
    MIN_BODY_BYTES_PER_SECOND: "1",
  });
  const body = Buffer.from(JSON.stringify(statusDelivery([statusObject(wamid(), "read", 1750264100)])));
  let slow: ReturnType<typeof request> | undefined;
  const answer = new Promise<{ status?: number; body: string; requestId?: string }>((resolve, reject) => {
    slow = request(
      {
        port: ingress.port,
        path: webhookPath,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(body.length),
          "x-hub-signature-256": signBody(body, appSecret),
        },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () =>
          resolve({
            status: response.statusCode,
            body: text,
            requestId: response.headers["x-request-id"] as string | undefined,
          }),
        );
      },
    );
    slow.on("error", reject);
  });
  slow!.write(body.subarray(0, 10));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const exited = ingress.stop();
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(ingress.child.exitCode).toBeNull();
  slow!.end(body.subarray(10));

  const answered = await answer;
  expect([answered.status, answered.body]).toEqual([200, "EVENT_RECEIVED"]);
  expect(await exited).toBe(0);
  const raw = await readTopic(topicName("rawWebhook", prefix), (records) =>
    records.some((r) => r.value.requestId === answered.requestId),
  );
  expect(raw.some((r) => r.value.requestId === answered.requestId)).toBe(true);
});
