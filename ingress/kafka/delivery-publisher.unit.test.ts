import type { TopicMessages } from "kafkajs";
import { inParts } from "./delivery-publisher";

const records = (topic: string, count: number): TopicMessages => ({
  topic,
  messages: Array.from({ length: count }, (_, i) => ({ key: `${topic}${i}`, value: null })),
});
const keys = (parts: TopicMessages[][]) =>
  parts.map((part) => part.map(({ topic, messages }) => `${topic}:${messages.map((m) => m.key).join(",")}`));

describe("inParts", () => {
  it("keeps a delivery within the limit whole", () => {
    const delivery = [records("raw", 1), records("status", 2)];
    expect(inParts(delivery, 3)).toEqual([delivery]);
  });

  it("cuts a larger delivery into parts of at most the limit, topic by topic, in order", () => {
    expect(keys(inParts([records("raw", 1), records("status", 5), records("business", 1)], 3))).toEqual([
      ["raw:raw0", "status:status0,status1"],
      ["status:status2,status3,status4"],
      ["business:business0"],
    ]);
  });
});
