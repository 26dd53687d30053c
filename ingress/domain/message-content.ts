import type { Contact, InboundMessageEvent, Media, WhatsAppError } from "../../contracts/generated/types";
import {
  arrayOf,
  decimal,
  flag,
  isObject,
  objectOrEmpty,
  secondsToMillis,
  text,
  type Json,
} from "./meta-json";

/**
 * What a message says, typed the same way wherever Meta sends a message: inbound messages, and the
 * business app's echoes and history (whose schema shares these records).
 */
export type MessageContent = Pick<
  InboundMessageEvent,
  | "text"
  | "image"
  | "video"
  | "audio"
  | "document"
  | "sticker"
  | "location"
  | "contacts"
  | "interactive"
  | "button"
  | "reaction"
  | "order"
  | "context"
  | "referral"
  | "errors"
  | "edit"
  | "revoke"
>;

export function parseErrors(value: unknown): WhatsAppError[] {
  return arrayOf(value)
    .filter(isObject)
    .map((error) => ({
      code: decimal(error.code),
      title: text(error.title),
      message: text(error.message),
      details: text(objectOrEmpty(error.error_data).details),
      href: text(error.href),
    }));
}

/** The message's content, leniently: a part of an unexpected shape is null, never a reason to drop it. */
export function parseMessageContent(message: Json): MessageContent {
  const objectAt = (key: string): Json | null => (isObject(message[key]) ? (message[key] as Json) : null);
  const textPart = objectAt("text");
  const location = objectAt("location");
  const button = objectAt("button");
  const reaction = objectAt("reaction");
  const order = objectAt("order");
  const context = objectAt("context");
  const referral = objectAt("referral");
  const edit = objectAt("edit");
  const revoke = objectAt("revoke");
  return {
    text: textPart && typeof textPart.body === "string" ? { body: textPart.body } : null,
    image: parseMedia(message.image),
    video: parseMedia(message.video),
    audio: parseMedia(message.audio),
    document: parseMedia(message.document),
    sticker: parseMedia(message.sticker),
    location: location
      ? {
          latitude: decimal(location.latitude),
          longitude: decimal(location.longitude),
          name: text(location.name),
          address: text(location.address),
          url: text(location.url),
        }
      : null,
    contacts: parseContacts(message.contacts),
    interactive: parseInteractive(message.interactive),
    button: button ? { payload: text(button.payload), text: text(button.text) } : null,
    reaction: reaction ? { messageId: text(reaction.message_id), emoji: text(reaction.emoji) } : null,
    order: order
      ? {
          catalogId: text(order.catalog_id),
          text: text(order.text),
          productItems: arrayOf(order.product_items)
            .filter(isObject)
            .map((item) => ({
              productRetailerId: text(item.product_retailer_id),
              quantity: decimal(item.quantity),
              itemPrice: decimal(item.item_price),
              currency: text(item.currency),
            })),
        }
      : null,
    context: context
      ? {
          from: text(context.from),
          id: text(context.id),
          forwarded: flag(context.forwarded),
          frequentlyForwarded: flag(context.frequently_forwarded),
          referredProductJson: context.referred_product ? JSON.stringify(context.referred_product) : null,
        }
      : null,
    referral: referral
      ? {
          sourceUrl: text(referral.source_url),
          sourceId: text(referral.source_id),
          sourceType: text(referral.source_type),
          headline: text(referral.headline),
          body: text(referral.body),
          mediaType: text(referral.media_type),
          imageUrl: text(referral.image_url),
          videoUrl: text(referral.video_url),
          thumbnailUrl: text(referral.thumbnail_url),
          ctwaClid: text(referral.ctwa_clid),
        }
      : null,
    errors: parseErrors(message.errors),
    edit: edit
      ? {
          originalMessageId: text(edit.original_message_id),
          messageJson: edit.message === undefined ? null : JSON.stringify(edit.message),
        }
      : null,
    revoke: revoke ? { originalMessageId: text(revoke.original_message_id) } : null,
  };
}

function parseMedia(value: unknown): Media | null {
  if (!isObject(value)) return null;
  return {
    id: text(value.id),
    mimeType: text(value.mime_type),
    sha256: text(value.sha256),
    caption: text(value.caption),
    filename: text(value.filename),
    voice: flag(value.voice),
    animated: flag(value.animated),
  };
}

function parseContacts(value: unknown): Contact[] {
  return arrayOf(value)
    .filter(isObject)
    .map((contact) => {
      const name = objectOrEmpty(contact.name);
      return {
        formattedName: text(name.formatted_name),
        firstName: text(name.first_name),
        lastName: text(name.last_name),
        phones: arrayOf(contact.phones)
          .filter(isObject)
          .map((phone) => ({ phone: text(phone.phone), waId: text(phone.wa_id), type: text(phone.type) })),
        emails: arrayOf(contact.emails)
          .filter(isObject)
          .map((email) => ({ email: text(email.email), type: text(email.type) })),
      };
    });
}

function parseInteractive(value: unknown): InboundMessageEvent["interactive"] {
  if (!isObject(value)) return null;
  const button = value.button_reply;
  const list = value.list_reply;
  const flow = value.nfm_reply;
  const permission = value.call_permission_reply;
  return {
    type: text(value.type) ?? "unknown",
    buttonReply: isObject(button) ? { id: text(button.id), title: text(button.title) } : null,
    listReply: isObject(list)
      ? { id: text(list.id), title: text(list.title), description: text(list.description) }
      : null,
    nfmReply: isObject(flow)
      ? { name: text(flow.name), body: text(flow.body), responseJson: text(flow.response_json) }
      : null,
    callPermissionReply: isObject(permission)
      ? {
          response: text(permission.response),
          isPermanent: flag(permission.is_permanent),
          expirationTimestamp: secondsToMillis(permission.expiration_timestamp),
          responseSource: text(permission.response_source),
        }
      : null,
  };
}
