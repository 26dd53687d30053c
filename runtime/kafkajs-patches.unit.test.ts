import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

// The kafkajs internals patches/kafkajs+2.2.4.patch rewrites for speed: each must still compute what
// Kafka's own clients compute.
const load = createRequire(__filename);
const murmur2 = load("kafkajs/src/producer/partitioners/default/murmur2") as (key: Buffer | string) => number;
const crc32c = load("kafkajs/src/protocol/recordBatch/crc32C") as (buffer: Buffer) => number;

/** CRC-32C one byte at a time (polynomial 0x82F63B78, reflected), as RFC 3720 defines it. */
function crc32cBytewise(buffer: Buffer): number {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe("kafkajs's default partitioner hash, as patched", () => {
  it("gives the Java client's murmur2 values (Kafka's UtilsTest)", () => {
    const java: [string, number][] = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [key, hash] of java) expect(murmur2(Buffer.from(key, "ascii"))).toBe(hash);
  });

  it("hashes a string key as its UTF-8 bytes", () => {
    const key = "wamid.HBgLMTU1NTAxMjM0NTYVAgARGBI=é";
    expect(murmur2(key)).toBe(murmur2(Buffer.from(key, "utf8")));
  });
});

describe("kafkajs's record batch checksum, as patched", () => {
  it("is CRC-32C: the check value of 123456789 and the empty input", () => {
    expect(crc32c(Buffer.from("123456789", "ascii"))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it("equals the byte-wise CRC-32C over every length around its 8-byte steps", () => {
    for (let length = 0; length < 70; length++) {
      const buffer = randomBytes(length);
      expect(crc32c(buffer)).toBe(crc32cBytewise(buffer));
    }
    const large = randomBytes(100_003);
    expect(crc32c(large)).toBe(crc32cBytewise(large));
  });
});
