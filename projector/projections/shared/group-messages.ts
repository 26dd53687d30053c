import type { InboundMessageEvent } from "../../../contracts/generated/types";

/**
 * A message written in a group: one with a group id. The groups projection takes these, the
 * conversation projection every other inbound message: one predicate, so none falls between them.
 */
export const isGroupMessage = (decoded: unknown): boolean => {
  const groupId = (decoded as Partial<InboundMessageEvent> | null)?.groupId;
  return typeof groupId === "string" && groupId.length > 0;
};
