import type { InboundMessageEvent } from "../../../contracts/generated/types";

/** A preview's text: at most 100 characters, an ellipsis marking the cut. */
const clip = (text: string): string => (text.length > 100 ? `${text.slice(0, 99)}…` : text);

/** A short human preview of a message, for conversation lists. */
export function previewOf(event: InboundMessageEvent): string {
  const media = event.image ?? event.video ?? event.document ?? event.audio ?? event.sticker;
  switch (true) {
    case event.text !== null:
      return clip(event.text!.body);
    case media !== null && Boolean(media?.caption):
      return clip(media!.caption!);
    case event.reaction !== null:
      return event.reaction!.emoji ? `Reacted ${event.reaction!.emoji}` : "Removed a reaction";
    case event.interactive !== null: {
      const reply = event.interactive!.buttonReply ?? event.interactive!.listReply;
      return clip(reply?.title ?? event.interactive!.nfmReply?.body ?? `[${event.interactive!.type}]`);
    }
    case event.button !== null:
      return clip(event.button!.text ?? event.button!.payload ?? "[button]");
    case event.location !== null:
      return clip(event.location!.name ?? event.location!.address ?? "[location]");
    case event.contacts.length > 0:
      return clip(`[contact] ${event.contacts[0]!.formattedName ?? ""}`.trim());
    case event.order !== null:
      return `[order] ${event.order!.productItems.length} item(s)`;
    default:
      return `[${event.type}]`;
  }
}

/** The preview of an edit's new content (its text, or its media's caption); null when it has neither. */
export function editPreviewOf(event: InboundMessageEvent): string | null {
  try {
    const message = JSON.parse(event.edit?.messageJson ?? "null") as Record<string, unknown> | null;
    const part = message && typeof message.type === "string" ? message[message.type] : null;
    const content = part && typeof part === "object" ? (part as Record<string, unknown>) : {};
    const text = typeof content.body === "string" ? content.body : content.caption;
    return typeof text === "string" ? clip(text) : null;
  } catch {
    return null;
  }
}
