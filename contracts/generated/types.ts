// Generated from contracts/schemas/*.avsc by `npm run contracts:types`. Do not edit by hand.

/** One HTTP delivery from Meta, exactly as received, after its X-Hub-Signature-256 was verified. The event store every other topic and read model can be rebuilt from. */
export interface RawWebhookDelivery {
  /** Id the ingress gave this HTTP request (UUID); the raw event id other events point back to. */
  requestId: string;
  /** When the ingress received the request. */
  receivedAt: number;
  /** The request body, byte for byte as Meta sent it and as it was signed. */
  body: Buffer;
  /** The X-Hub-Signature-256 header as received (sha256=<hex>). */
  signatureHeader: string;
  /** The Content-Type header, when present. */
  contentType: null | string;
  /** Whether the body parsed as JSON. */
  jsonParsed: boolean;
  /** Whether the body had the shape of a WhatsApp Business Account webhook (object, entry[], changes[]) so events were derived from it. */
  shapeRecognized: boolean;
  /** Why the body did not parse or was not recognized; null when it was. */
  problem: null | string;
  /** WhatsApp Business Account id of the first entry, when known; also the record key. */
  wabaId: null | string;
  /** Number of status events derived from this delivery. */
  statusCount: number;
  /** Number of inbound message events derived from this delivery. */
  inboundCount: number;
  /** Number of business events (other fields) derived from this delivery. */
  businessEventCount: number;
  /** Messages, statuses and value keys of this delivery that became no typed event (each named in problem, counted in whatsapp_ingress_objects_untyped_total). */
  untypedCount: number;
}

/** One status object of a messages webhook: a change in the delivery of an outbound message. Key: the message id (wamid). */
export interface MessageStatusEvent {
  /** Deterministic id: hex SHA-256 of wamid, status and timestamp, so a redelivery by Meta gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** WhatsApp message id of the outbound message (statuses[].id). */
  wamid: string;
  /** Status as Meta sent it: sent, delivered, read, played, failed, or any value Meta adds later (kept, never dropped). */
  status: string;
  /** When the status happened, per Meta (statuses[].timestamp, seconds, as milliseconds). */
  timestamp: number;
  /** The customer's phone number (statuses[].recipient_id); null when Meta withholds it. */
  recipientId: null | string;
  /** Business phone number id (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number (value.metadata.display_phone_number). */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** Conversation of the status, when Meta sent one. */
  conversation: null | Conversation;
  /** Pricing of the status, when Meta sent one. */
  pricing: null | Pricing;
  /** Errors of a failed status; empty otherwise. */
  errors: Array<WhatsAppError>;
  /** biz_opaque_callback_data the business set when it sent the message. */
  bizOpaqueCallbackData: null | string;
  /** The status object exactly as Meta sent it, as JSON, so fields Meta adds later are not lost. */
  statusJson: string;
  /** The customer's business-scoped user id, BSUID (statuses[].recipient_user_id). */
  recipientUserId: null | string;
  /** The customer's parent BSUID (statuses[].recipient_parent_user_id). */
  recipientParentUserId: null | string;
}

/** The conversation the message was billed in (statuses[].conversation). */
export interface Conversation {
  /** Conversation id. */
  id: null | string;
  /** conversation.origin.type: marketing, utility, authentication, service, referral_conversion, ... */
  originType: null | string;
  /** conversation.expiration_timestamp as milliseconds. */
  expiration: null | number;
}

/** Pricing of the message (statuses[].pricing). */
export interface Pricing {
  /** pricing.billable. */
  billable: null | boolean;
  /** pricing.pricing_model: CBP, PMP, ... */
  model: null | string;
  /** pricing.category: marketing, utility, authentication, service, ... */
  category: null | string;
  /** pricing.type: regular, free_customer_service, free_entry_point, ... */
  type: null | string;
}

/** One error object as Meta reports it in statuses[].errors, messages[].errors or value.errors. */
export interface WhatsAppError {
  /** Error code (for example 131047). */
  code: null | number;
  /** Error title. */
  title: null | string;
  /** Error message. */
  message: null | string;
  /** error_data.details. */
  details: null | string;
  /** Link to Meta's error documentation. */
  href: null | string;
}

/** One inbound customer message of a messages webhook. Key: <phone_number_id>:<fromUserId>, or <phone_number_id>:<from> when Meta sends no business-scoped user id, so one customer's messages share a partition. */
export interface InboundMessageEvent {
  /** Deterministic id: hex SHA-256 of the wamid, so a redelivery gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** WhatsApp message id (messages[].id). */
  wamid: string;
  /** The customer who sent it: their phone number (messages[].from) when Meta sends it, else their business-scoped user id, so that it is never empty for readers of version 1. fromWaId and fromUserId say which. */
  from: string;
  /** Customer's profile name (value.contacts[].profile.name of the sender's contact entry). */
  profileName: null | string;
  /** Business phone number id that received it (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number. */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** When the customer sent it, per Meta (messages[].timestamp, seconds, as milliseconds). */
  timestamp: number;
  /** messages[].type as Meta sent it: text, image, video, audio, document, sticker, location, contacts, interactive, button, reaction, order, system, unsupported, or any later value. */
  type: string;
  /** The message object exactly as Meta sent it, as JSON, so nothing is lost when Meta adds a type or field. */
  messageJson: string;
  /** text, for type text. */
  text: null | Text;
  /** image, for type image. */
  image: null | Media;
  /** video, for type video. */
  video: null | Media;
  /** audio, for type audio. */
  audio: null | Media;
  /** document, for type document. */
  document: null | Media;
  /** sticker, for type sticker. */
  sticker: null | Media;
  /** location, for type location. */
  location: null | Location;
  /** contacts, for type contacts; empty otherwise. */
  contacts: Array<Contact>;
  /** interactive, for type interactive. */
  interactive: null | InteractiveReply;
  /** button, for type button. */
  button: null | QuickReplyButton;
  /** reaction, for type reaction. */
  reaction: null | Reaction;
  /** order, for type order. */
  order: null | Order;
  /** context, when the message is a reply or forwarded. */
  context: null | MessageContext;
  /** referral, when an ad started the conversation. */
  referral: null | Referral;
  /** errors, for type unsupported and other message errors; empty otherwise. */
  errors: Array<WhatsAppError>;
  /** The customer's phone number exactly as Meta sent it (messages[].from); null when Meta withholds it (a user with a username). */
  fromWaId: null | string;
  /** The customer's business-scoped user id, BSUID (messages[].from_user_id, else the sender's contacts[].user_id); null before Meta sent BSUIDs. */
  fromUserId: null | string;
  /** The customer's parent BSUID across linked business portfolios (messages[].from_parent_user_id or contacts[].parent_user_id). */
  fromParentUserId: null | string;
  /** The customer's WhatsApp username (contacts[].profile.username), when they have one. */
  username: null | string;
  /** A system message (type system): the customer's identifiers changed. */
  system: null | SystemNotice;
  /** An edit (type edit): the customer changed an earlier message. */
  edit: null | MessageEdit;
  /** A revoke (type revoke): the customer withdrew an earlier message. */
  revoke: null | MessageRevoke;
}

/** text message. */
export interface Text {
  /** text.body. */
  body: string;
}

/** A media object of an inbound message (image, video, audio, document, sticker). */
export interface Media {
  /** Media id, to download it through the Graph API. */
  id: null | string;
  /** mime_type. */
  mimeType: null | string;
  /** sha256 of the media file. */
  sha256: null | string;
  /** caption (image, video, document). */
  caption: null | string;
  /** filename (document). */
  filename: null | string;
  /** voice: true for a voice note (audio). */
  voice: null | boolean;
  /** animated (sticker). */
  animated: null | boolean;
}

/** location message. */
export interface Location {
  /** latitude. */
  latitude: null | number;
  /** longitude. */
  longitude: null | number;
  /** Name of the place. */
  name: null | string;
  /** Address of the place. */
  address: null | string;
  /** URL of the place. */
  url: null | string;
}

/** One shared contact card. */
export interface Contact {
  /** name.formatted_name. */
  formattedName: null | string;
  /** name.first_name. */
  firstName: null | string;
  /** name.last_name. */
  lastName: null | string;
  /** phones. */
  phones: Array<ContactPhone>;
  /** emails. */
  emails: Array<ContactEmail>;
}

/** A phone of a contact card. */
export interface ContactPhone {
  /** phone. */
  phone: null | string;
  /** wa_id, when the phone is on WhatsApp. */
  waId: null | string;
  /** type: HOME, WORK, CELL, ... */
  type: null | string;
}

/** An email of a contact card. */
export interface ContactEmail {
  /** email. */
  email: null | string;
  /** type: HOME, WORK. */
  type: null | string;
}

/** A reply to an interactive message. */
export interface InteractiveReply {
  /** interactive.type: button_reply, list_reply, nfm_reply, or a later value. */
  type: string;
  /** interactive.button_reply. */
  buttonReply: null | ButtonReply;
  /** interactive.list_reply. */
  listReply: null | ListReply;
  /** interactive.nfm_reply. */
  nfmReply: null | FlowReply;
}

/** interactive.button_reply. */
export interface ButtonReply {
  /** Id of the button. */
  id: null | string;
  /** Title of the button. */
  title: null | string;
}

/** interactive.list_reply. */
export interface ListReply {
  /** Id of the row. */
  id: null | string;
  /** Title of the row. */
  title: null | string;
  /** Description of the row. */
  description: null | string;
}

/** interactive.nfm_reply (a WhatsApp Flow's answer). */
export interface FlowReply {
  /** name (flow). */
  name: null | string;
  /** body. */
  body: null | string;
  /** response_json: the flow's answer as a JSON string. */
  responseJson: null | string;
}

/** A template quick-reply button press. */
export interface QuickReplyButton {
  /** button.payload. */
  payload: null | string;
  /** button.text. */
  text: null | string;
}

/** A reaction to a message. */
export interface Reaction {
  /** reaction.message_id: the wamid reacted to. */
  messageId: null | string;
  /** reaction.emoji; absent when a reaction is removed. */
  emoji: null | string;
}

/** An order from a catalog. */
export interface Order {
  /** order.catalog_id. */
  catalogId: null | string;
  /** order.text. */
  text: null | string;
  /** order.product_items. */
  productItems: Array<OrderItem>;
}

/** order.product_items[]. */
export interface OrderItem {
  /** product_retailer_id. */
  productRetailerId: null | string;
  /** quantity. */
  quantity: null | number;
  /** item_price. */
  itemPrice: null | number;
  /** currency. */
  currency: null | string;
}

/** What the message replies to or how it was forwarded. */
export interface MessageContext {
  /** context.from. */
  from: null | string;
  /** context.id: wamid of the message replied to. */
  id: null | string;
  /** context.forwarded. */
  forwarded: null | boolean;
  /** context.frequently_forwarded. */
  frequentlyForwarded: null | boolean;
  /** context.referred_product as JSON. */
  referredProductJson: null | string;
}

/** Click-to-WhatsApp ad that started the conversation. */
export interface Referral {
  /** source_url. */
  sourceUrl: null | string;
  /** source_id. */
  sourceId: null | string;
  /** source_type: ad or post. */
  sourceType: null | string;
  /** headline. */
  headline: null | string;
  /** body. */
  body: null | string;
  /** media_type. */
  mediaType: null | string;
  /** image_url. */
  imageUrl: null | string;
  /** video_url. */
  videoUrl: null | string;
  /** thumbnail_url. */
  thumbnailUrl: null | string;
  /** ctwa_clid. */
  ctwaClid: null | string;
}

/** messages[].system: a change of the customer's phone number or business-scoped user id. */
export interface SystemNotice {
  /** user_changed_number, user_changed_user_id, or another system type Meta sends. */
  type: null | string;
  /** The notice as Meta words it. */
  body: null | string;
  /** The customer's new phone number (system.wa_id, formerly system.new_wa_id); the old one is the message's from. */
  waId: null | string;
  /** The customer's BSUID after the change (system.user_id). */
  userId: null | string;
  /** The customer's parent BSUID after the change (system.parent_user_id). */
  parentUserId: null | string;
  /** The customer's BSUID before the change (system.previous_user_id). */
  previousUserId: null | string;
  /** The customer's parent BSUID before the change (system.previous_parent_user_id). */
  previousParentUserId: null | string;
}

/** messages[].edit. */
export interface MessageEdit {
  /** wamid of the message edited (edit.original_message_id). */
  originalMessageId: null | string;
  /** The message's new content as Meta sent it (edit.message), as JSON text. */
  messageJson: null | string;
}

/** messages[].revoke. */
export interface MessageRevoke {
  /** wamid of the message withdrawn (revoke.original_message_id). */
  originalMessageId: null | string;
}

/** One change of any subscribed webhook field other than messages (message_template_status_update, account_update, phone_number_quality_update, calls, flows, ...). Key: WABA id. */
export interface BusinessEvent {
  /** Deterministic id: hex SHA-256 of WABA id, field and the value's JSON, so a redelivery gives the same id. */
  eventId: string;
  /** requestId of the raw delivery this event came from. */
  rawEventId: string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** The subscribed field that changed (changes[].field). */
  field: string;
  /** changes[].value exactly as Meta sent it, as JSON. */
  valueJson: string;
  /** entry[].time as milliseconds, when Meta sent it. */
  entryTime: null | number;
  /** When the ingress received the delivery. */
  receivedAt: number;
}

/** A record a consumer could not apply, with the reason and the original bytes, so nothing is lost and the consumer goes on. */
export interface DeadLetter {
  /** Topic the record was read from. */
  sourceTopic: string;
  /** Partition it was read from. */
  sourcePartition: number;
  /** Offset it had there (Kafka offsets are 64-bit; kept as a decimal string). */
  sourceOffset: string;
  /** The original key bytes. */
  key: null | Buffer;
  /** The original value bytes. */
  value: null | Buffer;
  /** Consumer group that failed to apply it. */
  consumerGroup: string;
  /** Why it could not be applied. */
  reason: string;
  /** When it was dead-lettered. */
  failedAt: number;
}
