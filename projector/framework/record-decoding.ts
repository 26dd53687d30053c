import type { KafkaMessage } from "kafkajs";
import type { ContractSerde } from "../../contracts/serde";
import type { Unapplicable } from "./errors";
import { withoutNul } from "./storable-values";

/**
 * Decodes a record through the registry and checks it is an event the projection applies, or says why
 * not. U+0000 in the event's strings becomes U+FFFD: no store of ours can hold it (see withoutNul).
 */
export async function decodeRecord<E>(
  serde: ContractSerde,
  validate: (decoded: unknown) => E | string,
  message: KafkaMessage,
): Promise<{ event: E } | { unapplicable: Unapplicable }> {
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
    checked = validate(withoutNul(decoded));
  } catch (error) {
    return {
      unapplicable: { kind: "projection_failed", detail: `validate threw: ${(error as Error).message}` },
    };
  }
  if (typeof checked === "string") return { unapplicable: { kind: "not_applicable", detail: checked } };
  return { event: checked };
}
