import type { ITopicMetadata } from "kafkajs";
import { waitForLeaders } from "./topic-admin";

const partition = (leader: number) => ({
  partitionErrorCode: 0,
  partitionId: 0,
  leader,
  replicas: [1],
  isr: [1],
});

/** An admin whose metadata answers come from a script, one per call; the last one repeats. */
function scriptedAdmin(answers: (ITopicMetadata[] | Error)[]) {
  let calls = 0;
  return {
    calls: () => calls,
    fetchTopicMetadata: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return { topics: answer };
    },
  };
}

it("waits through 'does not host this topic-partition' and leaderless partitions until every partition has a leader", async () => {
  const admin = scriptedAdmin([
    new Error("This server does not host this topic-partition"),
    [{ name: "a", partitions: [partition(-1)] }],
    [{ name: "a", partitions: [] }],
    [{ name: "a", partitions: [partition(1), partition(1)] }],
  ]);
  await waitForLeaders(admin, ["a"], 5000, 1);
  expect(admin.calls()).toBe(4);
});

it("waits for every topic asked for, not only the first that answers", async () => {
  const admin = scriptedAdmin([
    [{ name: "a", partitions: [partition(1)] }],
    [
      { name: "a", partitions: [partition(1)] },
      { name: "b", partitions: [partition(1)] },
    ],
  ]);
  await waitForLeaders(admin, ["a", "b"], 5000, 1);
  expect(admin.calls()).toBe(2);
});

it("throws the last failure at the deadline", async () => {
  const admin = scriptedAdmin([new Error("This server does not host this topic-partition")]);
  await expect(waitForLeaders(admin, ["a"], 20, 1)).rejects.toThrow("does not host");
  const leaderless = scriptedAdmin([[{ name: "a", partitions: [partition(-1)] }]]);
  await expect(waitForLeaders(leaderless, ["a"], 20, 1)).rejects.toThrow(
    "no leader yet for every partition of a",
  );
});
