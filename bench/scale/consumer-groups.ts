import { AssignerProtocol, type Admin } from "kafkajs";

/** A consumer group as the broker describes it: its state and the partitions each member holds. */
export interface GroupState {
  state: string;
  /** Partitions of the group's topics each member holds, largest first. */
  held: number[];
  /** Partitions of the topics nobody holds, or more than one member does. */
  misassigned: number;
}

/** "Stable, 4 members holding 5+5+4+4 of 18 partitions" */
export const groupText = (group: GroupState): string =>
  `${group.state}, ${group.held.length} members holding ${group.held.join("+") || "nothing"} of ${group.held.reduce((a, b) => a + b, 0) + group.misassigned} partitions`;

export async function describeGroup(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  partitions: number,
): Promise<GroupState> {
  const {
    groups: [group],
  } = await admin.describeGroups([groupId]);
  const holders = new Map<string, number>();
  const held: number[] = [];
  for (const member of group?.members ?? []) {
    const assignment: Record<string, number[]> =
      AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {};
    let count = 0;
    for (const topic of topics)
      for (const partition of assignment[topic] ?? []) {
        holders.set(`${topic}/${partition}`, (holders.get(`${topic}/${partition}`) ?? 0) + 1);
        count++;
      }
    held.push(count);
  }
  const expected = topics.flatMap((topic) => Array.from({ length: partitions }, (_, p) => `${topic}/${p}`));
  return {
    state: group?.state ?? "Dead",
    held: held.sort((a, b) => b - a),
    misassigned: expected.filter((key) => holders.get(key) !== 1).length,
  };
}

/**
 * Waits until the group is Stable with `members` members that between them hold every partition of its
 * topics once: a rebalance after a member joined, left or died has finished. A member killed without
 * leaving stays in the group until its session times out (kafkajs's default: 30 s).
 */
export async function waitForGroup(
  admin: Admin,
  group: { id: string; topics: readonly string[]; partitions: number },
  members: number,
  timeoutMs: number,
): Promise<{ settled: boolean; ms: number; state: GroupState }> {
  const started = Date.now();
  for (;;) {
    const state = await describeGroup(admin, group.id, group.topics, group.partitions);
    const settled = state.state === "Stable" && state.held.length === members && state.misassigned === 0;
    if (settled || Date.now() - started > timeoutMs) return { settled, ms: Date.now() - started, state };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
