import { kafkaClusterId } from "./secured-kafka";

describe("kafkaClusterId", () => {
  it("draws again when the id would start with a dash", () => {
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x41)];
    const id = kafkaClusterId(() => draws.shift()!);
    expect(Buffer.alloc(16, 0xf8).toString("base64url").startsWith("-")).toBe(true);
    expect(id).toBe(Buffer.alloc(16, 0x41).toString("base64url"));
    expect(draws).toHaveLength(0);
  });

  it("is 22 characters of base64url, as Kafka writes a 16-byte uuid", () => {
    for (let i = 0; i < 200; i++) expect(kafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
