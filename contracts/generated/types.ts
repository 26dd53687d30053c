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
  /** Events derived to whatsapp.template.event.v1 (template field changes; each is also one of businessEventCount). */
  templateEventCount: number;
  /** Events derived to whatsapp.account.event.v1 (account and phone-number field changes; each is also one of businessEventCount). */
  accountEventCount: number;
  /** Events derived to whatsapp.message.business-app.v1 (smb_message_echoes and history messages; each history or echo change is also one of businessEventCount). */
  businessAppMessageCount: number;
  /** Events derived to whatsapp.call.event.v1 (calls and call statuses of the calls field; each calls change is also one of businessEventCount). */
  callEventCount: number;
  /** Events derived to whatsapp.group.event.v1 (items of the group_* fields; each such change is also one of businessEventCount). */
  groupEventCount: number;
  /** Events derived to whatsapp.user.preference.v1 (user_preferences items; each such change is also one of businessEventCount). */
  userPreferenceCount: number;
  /** Events derived to whatsapp.payment.status.v1 (statuses of type payment in messages changes). */
  paymentStatusCount: number;
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
  /** The customer's phone number (statuses[].recipient_id), or the group id when recipientType is group; null when Meta withholds it. */
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
  /** statuses[].recipient_type: individual, group, or a later value; null when Meta sends none (a one-to-one message). */
  recipientType: null | string;
  /** For a group message: the phone number of the participant the status is about (statuses[].recipient_participant_id). */
  recipientParticipantId: null | string;
  /** For a group message: the BSUID of the participant the status is about (statuses[].recipient_participant_user_id). */
  recipientParticipantUserId: null | string;
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
  /** The WhatsApp group the message was sent in (messages[].group_id); null for a one-to-one chat. */
  groupId: null | string;
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
  /** interactive.type: button_reply, list_reply, nfm_reply, call_permission_reply, or a later value. */
  type: string;
  /** interactive.button_reply. */
  buttonReply: null | ButtonReply;
  /** interactive.list_reply. */
  listReply: null | ListReply;
  /** interactive.nfm_reply. */
  nfmReply: null | FlowReply;
  /** interactive.call_permission_reply, for interactive type call_permission_reply; context.id is the permission request's wamid or the missed call's id. */
  callPermissionReply: null | CallPermissionReply;
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

/** interactive.call_permission_reply: the customer's answer to a request to call them. */
export interface CallPermissionReply {
  /** response: accept or reject, or a later value. */
  response: null | string;
  /** is_permanent: whether the permission has no expiry. */
  isPermanent: null | boolean;
  /** expiration_timestamp (seconds), as milliseconds: when a temporary permission ends. */
  expirationTimestamp: null | number;
  /** response_source: user_action or automatic, or a later value. */
  responseSource: null | string;
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

/** One change of a message template: message_template_status_update, message_template_quality_update, template_category_update, message_template_components_update, or a template as the template sync read it from the Graph API (field template_sync). Exactly one of status, quality, category, components, snapshot is set, per field. Key: the template id. */
export interface TemplateEvent {
  /** Deterministic id: hex SHA-256 of the topic's tag, WABA id, field, entry[].time and the value's JSON (joined by U+0000), so a redelivery by Meta gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from; for template_sync, the id of the sync run. */
  rawEventId: string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** The webhook field that changed (changes[].field), or template_sync for the template sync; says which of the optional parts below is set. */
  field: string;
  /** message_template_id as its decimal digits: Meta sends a JSON number that can exceed 2^53, kept exact as text. */
  templateId: string;
  /** message_template_name. */
  templateName: null | string;
  /** message_template_language: language and locale code (en, en_US, en-US, ...). */
  language: null | string;
  /** Set for message_template_status_update. */
  status: null | TemplateStatusChange;
  /** Set for message_template_quality_update. */
  quality: null | TemplateQualityChange;
  /** Set for template_category_update. */
  category: null | TemplateCategoryChange;
  /** Set for message_template_components_update. */
  components: null | TemplateComponents;
  /** Set for template_sync (written by the template sync, not by a webhook): eventTime is when the sync read the template. */
  snapshot: null | TemplateSnapshot;
  /** entry[].time (when Meta triggered the webhook) as milliseconds, when Meta sent it: the order of events for one key. */
  eventTime: null | number;
  /** When the ingress received the delivery (for template_sync: when the sync read the template). */
  receivedAt: number;
  /** changes[].value exactly as Meta sent it, as JSON (large integers kept digit for digit), so fields Meta adds later are not lost; for template_sync, the template as the Graph API returned it. */
  valueJson: string;
}

/** A message_template_status_update. */
export interface TemplateStatusChange {
  /** The new status as Meta sent it: APPROVED, REJECTED, PENDING, PAUSED, DISABLED, FLAGGED, LOCKED, IN_APPEAL, REINSTATED, ARCHIVED, UNARCHIVED, DELETED, PENDING_DELETION, LIMIT_EXCEEDED, or any value Meta adds later (kept). */
  event: string;
  /** reason: ABUSIVE_CONTENT, INCORRECT_CATEGORY, INVALID_FORMAT, NONE, PROMOTIONAL, SCAM, TAG_CONTENT_MISMATCH, ... as sent; null when Meta sends null (scheduled for deletion) or none. */
  reason: null | string;
  /** message_template_category: MARKETING, UTILITY, AUTHENTICATION, ... as sent. */
  category: null | string;
  /** disable_info.disable_date (Unix seconds, as number or string) as milliseconds: when a DISABLED template was disabled. */
  disableDate: null | number;
  /** other_info, when Meta sent it. */
  otherInfo: null | TemplateOtherInfo;
  /** rejection_info, when Meta sent it. */
  rejectionInfo: null | TemplateRejectionInfo;
}

/** other_info of a pause, unpause, lock or unlock. */
export interface TemplateOtherInfo {
  /** other_info.title: FIRST_PAUSE, SECOND_PAUSE, RATE_LIMITING_PAUSE, UNPAUSE, DISABLED, ... as sent. */
  title: null | string;
  /** other_info.description: Meta's explanation, for people. */
  description: null | string;
}

/** rejection_info of a template rejected with INVALID_FORMAT. */
export interface TemplateRejectionInfo {
  /** rejection_info.reason: what Meta found wrong, for people. */
  reason: null | string;
  /** rejection_info.recommendation: how to fix it, for people. */
  recommendation: null | string;
}

/** A message_template_quality_update. */
export interface TemplateQualityChange {
  /** previous_quality_score: GREEN, YELLOW, RED, UNKNOWN, ... as sent. */
  previousScore: null | string;
  /** new_quality_score: GREEN, YELLOW, RED, UNKNOWN, ... as sent. */
  newScore: null | string;
}

/** A template_category_update: a change announced 24 hours ahead (correct_category present) or completed (previous_category present). */
export interface TemplateCategoryChange {
  /** True when Meta announces a change to come (correct_category present): newCategory is then the current category and correctCategory the one it will become at categoryUpdateTime. */
  announced: boolean;
  /** previous_category of a completed change. */
  previousCategory: null | string;
  /** new_category: the new category of a completed change, the current one of an announced change. */
  newCategory: null | string;
  /** correct_category: the category an announced change will give the template. */
  correctCategory: null | string;
  /** category_update_timestamp (Unix seconds) as milliseconds: when an announced change takes effect. */
  categoryUpdateTime: null | number;
}

/** A message_template_components_update: the template's content after an edit. */
export interface TemplateComponents {
  /** message_template_title: the text header, when the template has one. */
  title: null | string;
  /** message_template_element: the body text. */
  body: null | string;
  /** message_template_footer, when the template has one. */
  footer: null | string;
  /** message_template_buttons (URL and phone buttons only, per Meta); empty when none. */
  buttons: Array<TemplateButton>;
}

/** One of message_template_buttons. */
export interface TemplateButton {
  /** message_template_button_type: URL, PHONE_NUMBER, QUICK_REPLY, ... as sent. */
  type: null | string;
  /** message_template_button_text. */
  text: null | string;
  /** message_template_button_url, for a URL button. */
  url: null | string;
  /** message_template_button_phone_number, for a phone button. */
  phoneNumber: null | string;
}

/** A template as GET /<waba id>/message_templates returned it (npm run templates:sync). */
export interface TemplateSnapshot {
  /** status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ... as sent. */
  status: null | string;
  /** category: MARKETING, UTILITY, AUTHENTICATION, ... as sent. */
  category: null | string;
  /** previous_category, when Meta recategorised the template. */
  previousCategory: null | string;
  /** quality_score.score: GREEN, YELLOW, RED, UNKNOWN, ... as sent. */
  qualityScore: null | string;
  /** rejected_reason: NONE, INVALID_FORMAT, ... as sent. */
  rejectedReason: null | string;
  /** components as the webhook's content: the HEADER text as title, BODY text as body, FOOTER text as footer, BUTTONS as buttons (every type); null when Meta sent no components. */
  components: null | TemplateComponents;
}

/** One change of a WhatsApp Business Account or of one of its phone numbers: account_update, account_alerts, business_capability_update, phone_number_quality_update or phone_number_name_update. Exactly one of accountUpdate, alert, capability, phoneNumberQuality, phoneNumberName is set, per field. Key: the WABA id. */
export interface AccountEvent {
  /** Deterministic id: hex SHA-256 of the topic's tag, WABA id, field, entry[].time and the value's JSON (joined by U+0000), so a redelivery by Meta gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** The webhook field that changed (changes[].field); says which of the optional parts below is set. */
  field: string;
  /** display_phone_number of the business phone number a phone_number_* change is about (Meta sends no phone number id there); null for account-level fields. */
  displayPhoneNumber: null | string;
  /** Set for account_update. */
  accountUpdate: null | AccountUpdate;
  /** Set for account_alerts. */
  alert: null | AccountAlert;
  /** Set for business_capability_update. */
  capability: null | BusinessCapability;
  /** Set for phone_number_quality_update. */
  phoneNumberQuality: null | PhoneNumberQuality;
  /** Set for phone_number_name_update. */
  phoneNumberName: null | PhoneNumberName;
  /** entry[].time (when Meta triggered the webhook) as milliseconds, when Meta sent it: the order of events for one key. */
  eventTime: null | number;
  /** When the ingress received the delivery. */
  receivedAt: number;
  /** changes[].value exactly as Meta sent it, as JSON (large integers kept digit for digit), so fields Meta adds later are not lost. */
  valueJson: string;
}

/** An account_update: one event with the sub-object its kind carries. */
export interface AccountUpdate {
  /** event as Meta sent it: ACCOUNT_RESTRICTION, ACCOUNT_VIOLATION, DISABLED_UPDATE, ACCOUNT_DELETED, ACCOUNT_OFFBOARDED, ACCOUNT_RECONNECTED, PARTNER_ADDED, PARTNER_REMOVED, PARTNER_APP_INSTALLED, PARTNER_APP_UNINSTALLED, VOLUME_BASED_PRICING_TIER_UPDATE, ... or any value Meta adds later (kept). */
  event: string;
  /** phone_number, which older account_update events carry. */
  phoneNumber: null | string;
  /** country of a BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE. */
  country: null | string;
  /** violation_info.violation_type of an ACCOUNT_VIOLATION. */
  violationType: null | string;
  /** restriction_info of an ACCOUNT_RESTRICTION; empty otherwise. */
  restrictions: Array<AccountRestriction>;
  /** ban_info, when Meta sent it. */
  ban: null | AccountBan;
  /** waba_info, when Meta sent it. */
  wabaInfo: null | AccountWabaInfo;
  /** disconnection_info, when Meta sent it. */
  disconnection: null | AccountDisconnection;
  /** volume_tier_info, when Meta sent it. */
  volumeTier: null | AccountVolumeTier;
  /** partner_client_certification_info, when Meta sent it. */
  partnerClientCertification: null | AccountPartnerCertification;
  /** auth_international_rate_eligibility, when Meta sent it. */
  authInternationalRateEligibility: null | AccountAuthRateEligibility;
}

/** One of restriction_info[]. */
export interface AccountRestriction {
  /** restriction_type: RESTRICTED_BIZ_INITIATED_MESSAGING, RESTRICTED_ADD_PHONE_NUMBER_ACTION, ... as sent. */
  restrictionType: null | string;
  /** expiration (Unix seconds) as milliseconds: when the restriction ends; null when Meta sent none or not a number. */
  expiration: null | number;
  /** expiration exactly as Meta sent it, as text (some senders use ISO 8601 strings). */
  expirationText: null | string;
}

/** ban_info of a DISABLED_UPDATE. */
export interface AccountBan {
  /** waba_ban_state: DISABLE, REINSTATE, SCHEDULE_FOR_DISABLE, ... as sent. */
  state: null | string;
  /** waba_ban_date exactly as Meta sent it (a date in words, or a timestamp), as text. */
  date: null | string;
}

/** waba_info of partner, ad-account and terms events. */
export interface AccountWabaInfo {
  /** waba_info.waba_id. */
  wabaId: null | string;
  /** waba_info.owner_business_id: the business portfolio that owns the WABA. */
  ownerBusinessId: null | string;
  /** waba_info.ad_account_linked, for AD_ACCOUNT_LINKED. */
  adAccountLinked: null | string;
  /** waba_info.partner_app_id, for PARTNER_APP_* events. */
  partnerAppId: null | string;
  /** waba_info.solution_id, for a multi-partner solution. */
  solutionId: null | string;
  /** waba_info.solution_partner_business_ids; empty when none. */
  solutionPartnerBusinessIds: Array<string>;
}

/** disconnection_info of a PARTNER_REMOVED or offboarding (coexistence). */
export interface AccountDisconnection {
  /** disconnection_info.reason: ACCOUNT_DISCONNECTED, BUSINESS_DOWNGRADE, CHANGE_NUMBER, COMPANION_INACTIVITY, PRIMARY_INACTIVITY, USER_RE_REGISTERED, ... as sent. */
  reason: null | string;
  /** disconnection_info.initiated_by: SYSTEM, USER, ... as sent. */
  initiatedBy: null | string;
}

/** volume_tier_info of a VOLUME_BASED_PRICING_TIER_UPDATE. */
export interface AccountVolumeTier {
  /** volume_tier_info.tier_update_time, as text. */
  tierUpdateTime: null | string;
  /** volume_tier_info.pricing_category. */
  pricingCategory: null | string;
  /** volume_tier_info.tier. */
  tier: null | string;
  /** volume_tier_info.effective_month. */
  effectiveMonth: null | string;
  /** volume_tier_info.region. */
  region: null | string;
}

/** partner_client_certification_info of a PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE. */
export interface AccountPartnerCertification {
  /** partner_client_certification_info.client_business_id. */
  clientBusinessId: null | string;
  /** partner_client_certification_info.status: APPROVED, DISCARDED, FAILED, PENDING, REVOKED, ... as sent. */
  status: null | string;
  /** partner_client_certification_info.rejection_reasons; empty when none. */
  rejectionReasons: Array<string>;
}

/** auth_international_rate_eligibility of an AUTH_INTL_PRICE_ELIGIBILITY_UPDATE. */
export interface AccountAuthRateEligibility {
  /** start_time (Unix seconds) as milliseconds. */
  startTime: null | number;
  /** exception_countries; empty when none. */
  exceptionCountries: Array<AccountExceptionCountry>;
}

/** One of exception_countries[]. */
export interface AccountExceptionCountry {
  /** country_code. */
  countryCode: null | string;
  /** start_time (Unix seconds) as milliseconds. */
  startTime: null | number;
}

/** An account_alerts change. */
export interface AccountAlert {
  /** entity_type: BUSINESS, PHONE_NUMBER, ... as sent. */
  entityType: null | string;
  /** entity_id: the business portfolio or phone number id the alert is about. */
  entityId: null | string;
  /** alert_info.alert_severity: CRITICAL, WARNING, INFORMATIONAL, ... as sent. */
  severity: null | string;
  /** alert_info.alert_status: ACTIVE, NONE, ... as sent. */
  status: null | string;
  /** alert_info.alert_type: INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED, OBA_APPROVED, PROFILE_PICTURE_LOST, ... as sent. */
  type: null | string;
  /** alert_info.alert_description: Meta's explanation, for people. */
  description: null | string;
}

/** A business_capability_update. */
export interface BusinessCapability {
  /** max_daily_conversations_per_business as text: a tier (TIER_2K, TIER_UNLIMITED, ...) or a number in decimal, as Meta sent it (its reference documents both). */
  maxDailyConversationsPerBusiness: null | string;
  /** max_daily_conversation_per_phone (250, 2000, 10000, 100000, -1 for unlimited), which Meta is retiring. */
  maxDailyConversationPerPhone: null | number;
  /** max_phone_numbers_per_business. */
  maxPhoneNumbersPerBusiness: null | number;
  /** max_phone_numbers_per_waba. */
  maxPhoneNumbersPerWaba: null | number;
}

/** A phone_number_quality_update: a messaging limit or throughput change of one business phone number. */
export interface PhoneNumberQuality {
  /** event as Meta sent it: ONBOARDING, THROUGHPUT_UPGRADE, and from older integrations DOWNGRADE, UPGRADE, FLAGGED, UNFLAGGED, or any value Meta adds later (kept). */
  event: string;
  /** current_limit: TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED, TIER_NOT_SET, TIER_1K, ... as sent. */
  currentLimit: null | string;
  /** old_limit, for messaging limit changes. */
  oldLimit: null | string;
  /** max_daily_conversations_per_business as text: the business portfolio's limit, as Meta sent it. */
  maxDailyConversationsPerBusiness: null | string;
}

/** A phone_number_name_update: the outcome of a display name review. */
export interface PhoneNumberName {
  /** decision as Meta sent it: APPROVED, DEFERRED, PENDING, REJECTED, or any value Meta adds later (kept). */
  decision: string;
  /** requested_verified_name: the display name reviewed. */
  requestedVerifiedName: null | string;
  /** rejection_reason: NAME_FORMAT_UNACCEPTABLE, NAME_NOT_CONSISTENT, UNKNOWN, ... as sent; null when accepted. */
  rejectionReason: null | string;
}

/** One message of a WhatsApp Business app (coexistence) number that did not pass through the Cloud API: a message the business sent from the app or a companion device (smb_message_echoes, value.message_echoes[]), or a message of the chat history Meta shares when the number is onboarded (history, value.history[].threads[].messages[], and the later media deliveries whose value carries messages[]). Key: <phone_number_id>:<customerUserId>, else <phone_number_id>:<customerWaId>, as on whatsapp.message.inbound.v1. */
export interface BusinessAppMessageEvent {
  /** Deterministic id: hex SHA-256 of business-app, source and wamid (joined by U+0000), and for history_media also the media message as JSON (two media deliveries for one placeholder differ), so a redelivery, or a history chunk sent again, gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** Where the message came from: echo (smb_message_echoes), history (a history chunk, value.history[]) or history_media (a history delivery carrying the media of an earlier media_placeholder, value.messages[]). */
  source: string;
  /** outbound: the business sent it (every echo; a history message whose from is the business's display phone number); inbound: the customer sent it. */
  direction: string;
  /** WhatsApp message id (id of the echo or history message). */
  wamid: string;
  /** Business phone number id (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number (value.metadata.display_phone_number). */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** When the message was sent, per Meta (timestamp, seconds, as milliseconds); null when Meta sent none. */
  timestamp: null | number;
  /** type as Meta sent it: text, image, video, audio, document, sticker, location, contacts, interactive, reaction, edit, revoke, media_placeholder (history), or any later value. */
  type: string;
  /** The customer's phone number: an echo's to; a history thread's id when it is a phone number; else from of an inbound history message. Null when Meta withholds it. */
  customerWaId: null | string;
  /** The customer's BSUID: an echo's to_user_id (else the matching value.contacts[].user_id); a history thread's id when it is a BSUID (it contains a dot, US.134...); else from_user_id of an inbound history message. */
  customerUserId: null | string;
  /** The customer's parent BSUID (to_parent_user_id, from_parent_user_id, or value.contacts[].parent_user_id). */
  customerParentUserId: null | string;
  /** The customer's WhatsApp username (value.contacts[].profile.username of the customer's entry). */
  username: null | string;
  /** The customer's profile name (value.contacts[].profile.name of the customer's entry). */
  profileName: null | string;
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
  /** errors of a message Meta could not render (type unsupported); empty otherwise. */
  errors: Array<WhatsAppError>;
  /** An edit (type edit): the business changed an earlier message from the WhatsApp Business app (echoes). */
  edit: null | MessageEdit;
  /** A revoke (type revoke): the business withdrew an earlier message from the WhatsApp Business app (echoes). */
  revoke: null | MessageRevoke;
  /** For source history: the chunk's metadata and the message's delivery state; for history_media, only status when Meta sends history_context; null for echoes. */
  history: null | HistoryContext;
  /** The message object exactly as Meta sent it, as JSON, so nothing is lost when Meta adds a type or field. */
  messageJson: string;
}

/** Where a history message sits in the history sync. */
export interface HistoryContext {
  /** value.history[].metadata.phase: 0 (the last day), 1 (days 1 to 90), 2 (days 90 to 180). */
  phase: null | number;
  /** value.history[].metadata.chunk_order: the chunk's place in its phase (chunks may arrive out of order). */
  chunkOrder: null | number;
  /** value.history[].metadata.progress: 0 to 100, 100 when the sync is done. */
  progress: null | number;
  /** history_context.status of the message: DELIVERED, ERROR, PENDING, PLAYED, READ, SENT, or a later value. */
  status: null | string;
}

/** One event of a WhatsApp call (Calling API), from the calls webhook field: a value.calls[] item (connect, terminate, call_created, call_recording_available, call_transcription_available, ...) or a value.statuses[] item (RINGING, ACCEPTED, REJECTED of a business-initiated call). Key: the call id (wacid). */
export interface CallEvent {
  /** Deterministic id: hex SHA-256 of call, call id, event, status (empty when none) and timestamp in milliseconds (joined by U+0000), so a redelivery gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** The call id, wacid.... (calls[].id or statuses[].id). */
  callId: string;
  /** calls[].event as Meta sent it: connect, terminate, call_created, call_recording_available, call_transcription_available, or a later value; status for a value.statuses[] item. */
  event: string;
  /** calls[].direction: BUSINESS_INITIATED or USER_INITIATED; null on status items, which only business-initiated calls have. */
  direction: null | string;
  /** terminate's calls[].status (COMPLETED, FAILED) or a status item's statuses[].status (RINGING, ACCEPTED, REJECTED), or a later value; null otherwise. */
  status: null | string;
  /** When it happened, per Meta (calls[].timestamp or statuses[].timestamp, seconds, as milliseconds). */
  timestamp: number;
  /** Business phone number id (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number (value.metadata.display_phone_number). */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** calls[].from: the caller's phone number (the customer for USER_INITIATED, the business for BUSINESS_INITIATED). */
  from: null | string;
  /** calls[].to: the callee's phone number; for a status item, statuses[].recipient_id. */
  to: null | string;
  /** The customer's phone number (from for USER_INITIATED, to for BUSINESS_INITIATED, statuses[].recipient_id for a status); null when Meta withholds it. */
  customerWaId: null | string;
  /** The customer's BSUID (from_user_id, to_user_id or statuses[].recipient_user_id, on the customer's side, else the matching value.contacts[].user_id). */
  customerUserId: null | string;
  /** The customer's parent BSUID (from_parent_user_id, to_parent_user_id or statuses[].recipient_parent_user_id, else value.contacts[].parent_user_id). */
  customerParentUserId: null | string;
  /** The customer's WhatsApp username (value.contacts[].profile.username of the customer's entry). */
  username: null | string;
  /** The customer's profile name (value.contacts[].profile.name of the customer's entry). */
  profileName: null | string;
  /** terminate's calls[].start_time (seconds), as milliseconds; only when the call was answered. */
  startTime: null | number;
  /** terminate's calls[].end_time (seconds), as milliseconds; only when the call was answered. */
  endTime: null | number;
  /** terminate's calls[].duration, in seconds; only when the call was answered. */
  durationSeconds: null | number;
  /** biz_opaque_callback_data the business set on the call. */
  bizOpaqueCallbackData: null | string;
  /** calls[].session.sdp_type of a connect: offer (user-initiated) or answer (business-initiated); the SDP itself is only in callJson. */
  sdpType: null | string;
  /** call_recording.audio of a call_recording_available event. */
  recording: null | CallMedia;
  /** call_transcript.document of a call_transcription_available event. */
  transcript: null | CallMedia;
  /** Errors of the call: calls[].errors or statuses[].errors, and a terminate's value-level errors; empty otherwise. */
  errors: Array<WhatsAppError>;
  /** The calls[] or statuses[] item exactly as Meta sent it, as JSON (session.sdp included), so nothing is lost when Meta adds a field. */
  callJson: string;
}

/** A call recording or transcript Meta keeps for 7 days. */
export interface CallMedia {
  /** Media id (audio.id of call_recording, document.id of call_transcript). */
  id: null | string;
  /** sha256 of the file. */
  sha256: null | string;
  /** mime_type. */
  mimeType: null | string;
  /** url to download it from. */
  url: null | string;
}

/** One item of a Groups API webhook (value.groups[] of group_lifecycle_update, group_participants_update, group_settings_update or group_status_update). field and type say which of the optional parts are set. Key: the group id. */
export interface GroupEvent {
  /** Deterministic id: hex SHA-256 of group, group id, field, type, timestamp in milliseconds (empty when none) and the item's JSON (joined by U+0000), so a redelivery gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** The webhook field (changes[].field): group_lifecycle_update, group_participants_update, group_settings_update, group_status_update. */
  field: string;
  /** groups[].type as Meta sent it: group_create, group_delete, group_participants_add, group_participants_remove, group_join_request_created, group_join_request_revoked, group_settings_update, group_suspend, group_suspend_cleared, or a later value. */
  type: string;
  /** groups[].group_id. */
  groupId: string;
  /** Business phone number id that owns the group (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number (value.metadata.display_phone_number). */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** groups[].timestamp (seconds), as milliseconds; null when Meta sent none. */
  timestamp: null | number;
  /** groups[].request_id: the id of the business's API request this answers. */
  requestId: null | string;
  /** groups[].subject (group_create). */
  subject: null | string;
  /** groups[].description (group_create). */
  description: null | string;
  /** groups[].invite_link (group_create). */
  inviteLink: null | string;
  /** groups[].join_approval_mode (group_create). */
  joinApprovalMode: null | string;
  /** groups[].reason: why participants changed (invite_link, ...) or why a group was suspended. */
  reason: null | string;
  /** groups[].initiated_by: business or participant (group_participants_remove; participant when a participant left). */
  initiatedBy: null | string;
  /** groups[].added_participants (group_participants_add). */
  addedParticipants: Array<GroupParticipant>;
  /** groups[].removed_participants (group_participants_remove). */
  removedParticipants: Array<GroupParticipant>;
  /** groups[].failed_participants (a removal that partly or wholly failed). */
  failedParticipants: Array<FailedGroupParticipant>;
  /** groups[].join_request_id (group_join_request_created, group_join_request_revoked). */
  joinRequestId: null | string;
  /** The user who asked to join or withdrew their request: groups[].wa_id, user_id, parent_user_id, username of a join request. */
  joinRequester: null | GroupParticipant;
  /** groups[].group_subject of a group_settings_update. */
  subjectUpdate: null | GroupTextUpdate;
  /** groups[].group_description of a group_settings_update. */
  descriptionUpdate: null | GroupTextUpdate;
  /** groups[].profile_picture of a group_settings_update. */
  profilePictureUpdate: null | GroupPictureUpdate;
  /** groups[].errors: the whole request failed or partly failed; empty otherwise. */
  errors: Array<WhatsAppError>;
  /** The groups[] item exactly as Meta sent it, as JSON, so nothing is lost when Meta adds a field. */
  groupJson: string;
}

/** A participant of a group webhook as Meta names them; any part may be missing. */
export interface GroupParticipant {
  /** wa_id: the participant's phone number. */
  waId: null | string;
  /** user_id: the participant's BSUID. */
  userId: null | string;
  /** parent_user_id: the participant's parent BSUID. */
  parentUserId: null | string;
  /** username: the participant's WhatsApp username. */
  username: null | string;
  /** input: the phone number or BSUID the business named in its request. */
  input: null | string;
}

/** A participant the business asked to change that Meta could not change. */
export interface FailedGroupParticipant {
  /** input: the phone number or BSUID the business named. */
  input: null | string;
  /** errors: why it failed. */
  errors: Array<WhatsAppError>;
}

/** A change of the group's subject or description in a group_settings_update. */
export interface GroupTextUpdate {
  /** text: the new subject or description. */
  text: null | string;
  /** update_successful. */
  updateSuccessful: null | boolean;
  /** errors of this update; empty when it succeeded. */
  errors: Array<WhatsAppError>;
}

/** A change of the group's profile picture in a group_settings_update. */
export interface GroupPictureUpdate {
  /** mime_type of the new picture. */
  mimeType: null | string;
  /** sha256 of the new picture. */
  sha256: null | string;
  /** update_successful. */
  updateSuccessful: null | boolean;
  /** errors of this update; empty when it succeeded. */
  errors: Array<WhatsAppError>;
}

/** One customer preference change of the user_preferences webhook field (value.user_preferences[]): a customer stopped or resumed marketing messages. Key: <phone_number_id>:<userId>, else <phone_number_id>:<waId>. */
export interface UserPreferenceEvent {
  /** Deterministic id: hex SHA-256 of preference, phone number id, user id (else wa_id), category, value and timestamp in milliseconds (joined by U+0000), so a redelivery gives the same id. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** Business phone number id (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number (value.metadata.display_phone_number). */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** user_preferences[].wa_id: the customer's phone number; null when Meta withholds it. */
  waId: null | string;
  /** user_preferences[].user_id: the customer's BSUID (else the matching value.contacts[].user_id). */
  userId: null | string;
  /** user_preferences[].parent_user_id: the customer's parent BSUID, when parent BSUIDs are enabled. */
  parentUserId: null | string;
  /** The customer's WhatsApp username (value.contacts[].profile.username of the customer's entry). */
  username: null | string;
  /** The customer's profile name (value.contacts[].profile.name of the customer's entry). */
  profileName: null | string;
  /** user_preferences[].category: marketing_messages, or a later value. */
  category: string;
  /** user_preferences[].value: stop or resume, or a later value. */
  value: string;
  /** user_preferences[].detail: Meta's words for the change. */
  detail: null | string;
  /** user_preferences[].timestamp (seconds), as milliseconds. */
  timestamp: number;
}

/** One payment status (WhatsApp Payments with a payment gateway, India): a value.statuses[] item of type payment in a messages webhook. Not a message status. Key: the payment's reference id. */
export interface PaymentStatusEvent {
  /** Deterministic id: hex SHA-256 of payment, reference id, status, timestamp in milliseconds, transaction id and transaction status (joined by U+0000, absent ones empty), so a redelivery gives the same id and two attempts in one second do not. */
  eventId: string;
  /** requestId of the raw delivery (whatsapp.webhook.raw.v1) this event came from. */
  rawEventId: string;
  /** statuses[].payment.reference_id: the reference the business gave the order. */
  referenceId: string;
  /** statuses[].status: captured, pending, or a later value. */
  status: string;
  /** statuses[].timestamp (seconds), as milliseconds. */
  timestamp: number;
  /** Business phone number id (value.metadata.phone_number_id). */
  phoneNumberId: string;
  /** Business display phone number (value.metadata.display_phone_number). */
  displayPhoneNumber: null | string;
  /** WhatsApp Business Account id (entry[].id). */
  wabaId: string;
  /** statuses[].id: the wamid of the order_details message the payment is for, when Meta sends it. */
  wamid: null | string;
  /** statuses[].recipient_id: the customer's phone number; null when Meta withholds it. */
  recipientId: null | string;
  /** statuses[].recipient_user_id: the customer's BSUID. */
  recipientUserId: null | string;
  /** statuses[].payment.amount.value: the amount times amountOffset (21000 with offset 100 is 210.00). */
  amountValue: null | number;
  /** statuses[].payment.amount.offset. */
  amountOffset: null | number;
  /** statuses[].payment.currency (INR). */
  currency: null | string;
  /** statuses[].payment.transaction.id. */
  transactionId: null | string;
  /** statuses[].payment.transaction.pg_transaction_id: the payment gateway's id. */
  pgTransactionId: null | string;
  /** statuses[].payment.transaction.type: the gateway (billdesk, payu, razorpay, zaakpay, ...). */
  transactionType: null | string;
  /** statuses[].payment.transaction.status: success, failed, pending, or a later value. */
  transactionStatus: null | string;
  /** statuses[].payment.transaction.method.type: upi, card, netbanking, wallet, or a later value. */
  methodType: null | string;
  /** statuses[].payment.transaction.error as JSON (code, reason), when the transaction failed. */
  transactionErrorJson: null | string;
  /** The statuses[] item exactly as Meta sent it, as JSON, so nothing is lost when Meta adds a field. */
  statusJson: string;
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
