import type { Producer, ProducerBatch, TopicMessages } from "kafkajs";
import { ProduceCoalescer } from "./produce-coalescer";

/** A producer that records each request and answers when told to, failing requests that carry "bad". */
function scriptedProducer() {
  const requests: ProducerBatch[] = [];
  const answers: (() => void)[] = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) => {
      requests.push(batch);
      return new Promise((resolve, reject) => {
        answers.push(() => {
          const values = batch.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value)));
          if (values.includes("bad")) reject(new Error("broker refused the request"));
          else resolve([]);
        });
      });
    },
  } as unknown as Producer;
  const answerAll = async () => {
    while (answers.length > 0) {
      answers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { producer, requests, answerAll };
}

const delivery = (value: string, topic = "t"): TopicMessages[] => [
  { topic, messages: [{ key: "k", value: Buffer.from(value) }] },
];
const settled = (p: Promise<void>) =>
  p.then(
    () => "acknowledged",
    (e: Error) => `refused: ${e.message}`,
  );

it("sends what arrives during a request as one next request, per topic, and answers each caller", async () => {
  const { producer, requests, answerAll } = scriptedProducer();
  const coalescer = new ProduceCoalescer(producer, 1024 * 1024, 1000);
  const sends = [
    coalescer.send(delivery("a")),
    coalescer.send(delivery("b")),
    coalescer.send(delivery("c", "u")),
    coalescer.send(delivery("d")),
  ];
  await answerAll();
  expect(await Promise.all(sends.map((s) => settled(s.acknowledged)))).toEqual(Array(4).fill("acknowledged"));
  expect(
    requests.map((r) =>
      r.topicMessages!.map((t) => `${t.topic}:${t.messages.map((m) => String(m.value)).join("")}`),
    ),
  ).toEqual([["t:a"], ["t:bd", "u:c"]]);
  expect(requests.every((r) => r.acks === -1)).toBe(true);
});

it("sends a failed shared request again one delivery at a time, so only the bad one is refused", async () => {
  const { producer, answerAll } = scriptedProducer();
  const coalescer = new ProduceCoalescer(producer, 1024 * 1024, 1000);
  const sends = [
    coalescer.send(delivery("first")),
    coalescer.send(delivery("ok")),
    coalescer.send(delivery("bad")),
    coalescer.send(delivery("fine")),
  ];
  await answerAll();
  expect(await Promise.all(sends.map((s) => settled(s.acknowledged)))).toEqual([
    "acknowledged",
    "acknowledged",
    "refused: broker refused the request",
    "acknowledged",
  ]);
});

it("drops a delivery its caller abandoned before it was sent, and bounds a shared request's bytes", async () => {
  const { producer, requests, answerAll } = scriptedProducer();
  const coalescer = new ProduceCoalescer(producer, 10, 1000);
  const first = coalescer.send(delivery("x"));
  const gone = coalescer.send(delivery("abandoned"));
  const big = [coalescer.send(delivery("12345678")), coalescer.send(delivery("87654321"))];
  gone.abandon();
  await answerAll();
  expect(await settled(first.acknowledged)).toBe("acknowledged");
  expect(await settled(gone.acknowledged)).toBe("refused: abandoned before it was sent");
  expect(await Promise.all(big.map((s) => settled(s.acknowledged)))).toEqual([
    "acknowledged",
    "acknowledged",
  ]);
  expect(
    requests.map((r) => r.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value)))),
  ).toEqual([["x"], ["12345678"], ["87654321"]]);
});

it("bounds a shared request's records", async () => {
  const { producer, requests, answerAll } = scriptedProducer();
  const coalescer = new ProduceCoalescer(producer, 1024 * 1024, 2);
  const sends = ["a", "b", "c", "d"].map((value) => coalescer.send(delivery(value)));
  await answerAll();
  await answerAll();
  expect(await Promise.all(sends.map((send) => settled(send.acknowledged)))).toEqual(
    Array(4).fill("acknowledged"),
  );
  expect(
    requests.map((r) => r.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value)))),
  ).toEqual([["a"], ["b", "c"], ["d"]]);
});

it("lets an abandoned delivery go at once, without waiting for the request in flight", async () => {
  let release!: () => void;
  const producer = {
    sendBatch: () => new Promise<void>((resolve) => (release = resolve)),
  } as unknown as Producer;
  const coalescer = new ProduceCoalescer(producer, 1024 * 1024, 4000);
  const inFlight = coalescer.send(delivery("first"));
  const waiting = coalescer.send(delivery("second"));
  waiting.abandon();
  expect(await settled(waiting.acknowledged)).toBe("refused: abandoned before it was sent");
  release();
  expect(await settled(inFlight.acknowledged)).toBe("acknowledged");
});

it("counts the bytes not yet acknowledged as its backlog, until acknowledged, refused or abandoned", async () => {
  const { producer, answerAll } = scriptedProducer();
  const coalescer = new ProduceCoalescer(producer, 1024 * 1024, 1000);
  const first = coalescer.send(delivery("12345"));
  const refused = coalescer.send(delivery("bad"));
  const gone = coalescer.send(delivery("abandoned"));
  expect(coalescer.backlogBytes).toBe(5 + 3 + 9);
  gone.abandon();
  await settled(gone.acknowledged);
  expect(coalescer.backlogBytes).toBe(5 + 3);
  await answerAll();
  expect([await settled(first.acknowledged), await settled(refused.acknowledged)]).toEqual([
    "acknowledged",
    "refused: broker refused the request",
  ]);
  expect(coalescer.backlogBytes).toBe(0);
});
