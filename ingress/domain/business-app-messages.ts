import type { BusinessAppMessageEvent, HistoryContext } from "../../contracts/generated/types";
import { customerOf, phoneDigits, type CustomerIds } from "./customer-contacts";
import { sha256Hex } from "./event-ids";
import { isObject } from "./meta-json";
import { parseMessageContent } from "./message-content";
import {
  businessNumberOf,
  itemsOf,
  OptionalValues,
  type BusinessNumber,
  type FieldChange,
  type TypedChange,
} from "./typed-change";

/** The coexistence webhook fields typed into whatsapp.message.business-app.v1 (each change also stays a business event). */
export const businessAppFields = new Set(["smb_message_echoes", "history"]);

type Source = BusinessAppMessageEvent["source"];
type Derived = TypedChange<BusinessAppMessageEvent>;

/** Where a message sits in a history sync: its chunk's metadata (none for the later media deliveries). */
interface Chunk {
  phase: number | null;
  chunkOrder: number | null;
  progress: number | null;
}

/** A history thread is named by the customer's phone number, or by their BSUID (US.134...) when withheld. */
function threadCustomer(threadId: string | null): Pick<CustomerIds, "waId" | "userId"> {
  if (threadId === null) return { waId: null, userId: null };
  return threadId.includes(".") ? { waId: null, userId: threadId } : { waId: threadId, userId: null };
}

/**
 * Each message of a WhatsApp Business app number's echo or history change as a
 * BusinessAppMessageEvent, keyed by business number and customer like inbound messages. Linear in
 * the number of messages (a history chunk can hold thousands). A history change that only says the
 * business declined to share its history (errors, no messages) gives no event: it stays a business
 * event. Untypeable: a message without id or customer.
 */
export function deriveBusinessAppMessages(change: FieldChange): Derived[] {
  const number = businessNumberOf(change);
  if ("reason" in number) return [number];
  const { value } = number;
  if (change.field === "smb_message_echoes") {
    const echoes = itemsOf(value, "message_echoes");
    if (!Array.isArray(echoes)) return [echoes];
    return echoes.map((echo, index) =>
      businessAppMessage(echo, `message_echoes[${index}]`, "echo", number, null, null),
    );
  }
  if (Array.isArray(value.history)) return historyMessages(value.history, number);
  if (Array.isArray(value.messages))
    return value.messages.map((message, index) =>
      businessAppMessage(message, `messages[${index}]`, "history_media", number, null, null),
    );
  if (value.errors !== undefined) return [];
  const history = itemsOf(value, "history");
  return Array.isArray(history) ? [] : [history];
}

function historyMessages(chunks: unknown[], number: BusinessNumber): Derived[] {
  const derived: Derived[] = [];
  chunks.forEach((chunk, chunkIndex) => {
    const chunkAt = `history[${chunkIndex}]`;
    if (!isObject(chunk)) return derived.push({ reason: "not_an_object", at: chunkAt });
    // A declined sync: the chunk carries errors and no threads.
    if (chunk.threads === undefined && chunk.errors !== undefined) return;
    const read = new OptionalValues();
    const metadata = read.object(chunk, "metadata") ?? {};
    const threads = read.objects(chunk, "threads");
    if (read.wrongType !== null)
      return derived.push({ reason: "wrong_type", at: `${chunkAt}.${read.wrongType}` });
    const readMetadata = new OptionalValues();
    const position: Chunk = {
      phase: readMetadata.integer(metadata, "phase"),
      chunkOrder: readMetadata.integer(metadata, "chunk_order"),
      progress: readMetadata.integer(metadata, "progress"),
    };
    if (readMetadata.wrongType !== null)
      return derived.push({ reason: "wrong_type", at: `${chunkAt}.metadata.${readMetadata.wrongType}` });
    threads.forEach((thread, threadIndex) => {
      const threadAt = `${chunkAt}.threads[${threadIndex}]`;
      const messages = thread.messages;
      if (!Array.isArray(messages)) return derived.push({ reason: "wrong_type", at: `${threadAt}.messages` });
      const customer = threadCustomer(new OptionalValues().text(thread, "id"));
      messages.forEach((message, index) =>
        derived.push(
          businessAppMessage(
            message,
            `${threadAt}.messages[${index}]`,
            "history",
            number,
            customer,
            position,
          ),
        ),
      );
    });
  });
  return derived;
}

function businessAppMessage(
  message: unknown,
  at: string,
  source: Source,
  number: BusinessNumber,
  thread: Pick<CustomerIds, "waId" | "userId"> | null,
  chunk: Chunk | null,
): Derived {
  if (!isObject(message)) return { reason: "not_an_object", at };
  const read = new OptionalValues();
  const wamid = read.text(message, "id");
  const timestamp = read.millis(message, "timestamp");
  const from = read.text(message, "from");
  const type = read.text(message, "type") ?? "unknown";
  const businessDigits = phoneDigits(number.displayPhoneNumber);
  const outbound = source === "echo" || (businessDigits !== null && phoneDigits(from) === businessDigits);
  const side = outbound ? "to" : "from";
  const ids: CustomerIds = {
    waId: thread?.waId ?? read.text(message, side),
    userId: thread?.userId ?? read.text(message, `${side}_user_id`),
    parentUserId: read.text(message, `${side}_parent_user_id`),
  };
  const historyContext = read.object(message, "history_context");
  const status = historyContext ? read.text(historyContext, "status") : null;
  if (read.wrongType !== null) return { reason: "wrong_type", at: `${at}.${read.wrongType}` };
  if (wamid === null) return { reason: "missing_id", at };
  // Only a later media delivery may come without a time: it dates no message.
  if (timestamp === null && source !== "history_media") return { reason: "missing_timestamp", at };
  const customer = customerOf(ids, number.value.contacts);
  const customerId = customer.customerUserId ?? customer.customerWaId;
  if (customerId === null) return { reason: "missing_customer", at };
  const history: HistoryContext | null =
    chunk !== null
      ? { ...chunk, status }
      : historyContext
        ? { phase: null, chunkOrder: null, progress: null, status }
        : null;
  return {
    event: {
      key: `${number.phoneNumberId}:${customerId}`,
      value: {
        // Two media deliveries for one placeholder differ by their content, not their wamid.
        eventId:
          source === "history_media"
            ? sha256Hex("business-app", source, wamid, JSON.stringify(message))
            : sha256Hex("business-app", source, wamid),
        rawEventId: number.rawEventId,
        source,
        direction: outbound ? "outbound" : "inbound",
        wamid,
        phoneNumberId: number.phoneNumberId,
        displayPhoneNumber: number.displayPhoneNumber,
        wabaId: number.wabaId,
        timestamp,
        type,
        ...customer,
        ...parseMessageContent(message),
        history,
        messageJson: JSON.stringify(message),
      },
    },
  };
}
