import type { KafkaMessage } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
import type { TopicId } from "../../contracts/topics";
import type { Unapplicable } from "./errors";
import type { Projection } from "./projection";
import { withoutNul } from "./storable-values";

/** A record as the projection sees it: an event to apply, one it does not handle, or one it cannot apply. */
export type DecodedRecord<E> = { event: E } | { skipped: string } | { unapplicable: Unapplicable };

/** Why a record is skipped: it is another projection's (the metric's `reason`). */
export const notHandled = "not_handled";

/**
 * Decodes a record through the registry, skips it when the projection does not handle it, and checks
 * that it is an event the projection applies, or says why not. U+0000 in the event's strings becomes
 * U+FFFD: no store of ours can hold it (see withoutNul).
 */
export async function decodeRecord<E>(
  serde: ContractSerde,
  projection: Pick<Projection<E>, "canHandle" | "validate">,
  message: KafkaMessage,
  topic: TopicId,
): Promise<DecodedRecord<E>> {
  if (!message.value)
    return { unapplicable: { kind: "empty", detail: "empty value (tombstone): nothing to apply" } };
  let decoded: unknown;
  try {
    decoded = await serde.decode(message.value);
  } catch (error) {
    return { unapplicable: { kind: "undecodable", detail: (error as Error).message } };
  }
  let checked: E | string;
  try {
    if (projection.canHandle && !projection.canHandle(decoded, topic)) return { skipped: notHandled };
    checked = projection.validate(withoutNul(decoded), topic);
  } catch (error) {
    return {
      unapplicable: {
        kind: "projection_failed",
        detail: `canHandle or validate threw: ${(error as Error).message}`,
      },
    };
  }
  if (typeof checked === "string") return { unapplicable: { kind: "not_applicable", detail: checked } };
  return { event: checked };
}
