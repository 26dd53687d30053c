import { PartitionProgress } from "./partition-progress";

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

it("knows a partition's lag as soon as a batch is fetched, before anything is applied", () => {
  const progress = new PartitionProgress(60_000);
  expect(progress.fetched("t/0", "120", "100")).toBe(20);
  expect(progress.committed("t/0", "120", "110")).toBe(10);
});

it("calls a partition stalled when it has lag and committed nothing for the stall time", () => {
  const time = clock();
  const progress = new PartitionProgress(60_000, time.now);
  progress.fetched("t/0", "10", "0");
  progress.fetched("t/1", "10", "0");
  time.advance(30_000);
  progress.committed("t/1", "20", "15");
  time.advance(31_000);
  progress.fetched("t/0", "12", "0");
  expect(progress.stalled()).toEqual(["t/0"]);
  progress.committed("t/0", "12", "12");
  expect(progress.stalled()).toEqual([]);
});

it("forgets partitions a rebalance took away, so their old lag never stalls this instance", () => {
  const time = clock();
  const progress = new PartitionProgress(1_000, time.now);
  progress.fetched("t/0", "10", "0");
  progress.fetched("t/1", "10", "0");
  expect(progress.retain(["t/1"])).toEqual(["t/0"]);
  time.advance(5_000);
  expect(progress.stalled()).toEqual(["t/1"]);
  expect(progress.known()).toEqual(["t/1"]);
});

it("does not count waiting for work as a stall", () => {
  const time = clock();
  const progress = new PartitionProgress(60_000, time.now);
  progress.committed("t/2", "5", "5");
  time.advance(120_000);
  progress.fetched("t/2", "6", "5");
  expect(progress.stalled()).toEqual([]);
  time.advance(60_001);
  expect(progress.stalled()).toEqual(["t/2"]);
});

it("keeps partitions of different topics apart", () => {
  const progress = new PartitionProgress(60_000);
  progress.fetched("a/0", "10", "0");
  progress.committed("b/0", "10", "10");
  expect(progress.known()).toEqual(["a/0", "b/0"]);
  expect(progress.retain(["b/0"])).toEqual(["a/0"]);
});
