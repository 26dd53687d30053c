import type { TemplateButton, TemplateEvent } from "../../contracts/generated/types";
import { isObject, isRawJson, secondsToMillis, type Json } from "./meta-json";
import { changeEnvelope, OptionalValues, type FieldChange, type TypedChange } from "./typed-change";

/** The webhook fields typed into whatsapp.template.event.v1 (each also stays a business event). */
export const templateFields = new Set([
  "message_template_status_update",
  "message_template_quality_update",
  "template_category_update",
  "message_template_components_update",
]);

const digits = /^\d+$/;

/** message_template_id as its decimal digits: a JSON number (exact past 2^53 thanks to the lossless parse) or a string. */
function templateIdOf(value: unknown): string | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (isRawJson(value)) return digits.test(value.rawJSON) ? value.rawJSON : null;
  return typeof value === "string" && digits.test(value) ? value : null;
}

/**
 * One change of a template field as a TemplateEvent, keyed by template id so that one template's
 * changes are read in order. Untypeable without the WABA id, the template id, or (status) the event.
 */
export function deriveTemplateEvent(change: FieldChange): TypedChange<TemplateEvent> {
  const { value, field } = change;
  if (!isObject(value)) return { reason: "not_an_object" };
  if (change.wabaId === null) return { reason: "missing_waba_id" };
  if (value.message_template_id === undefined || value.message_template_id === null)
    return { reason: "missing_template_id" };
  const templateId = templateIdOf(value.message_template_id);
  if (templateId === null) return { reason: "wrong_type", at: "message_template_id" };
  const read = new OptionalValues();
  const parts = {
    status: field === "message_template_status_update" ? statusChange(value, read) : null,
    quality: field === "message_template_quality_update" ? qualityChange(value, read) : null,
    category: field === "template_category_update" ? categoryChange(value, read) : null,
    components: field === "message_template_components_update" ? components(value, read) : null,
    snapshot: null,
  };
  if (field === "message_template_status_update" && parts.status === null) return { reason: "missing_event" };
  const templateName = read.text(value, "message_template_name");
  const language = read.text(value, "message_template_language");
  if (read.wrongType !== null) return { reason: "wrong_type", at: read.wrongType };
  return {
    event: {
      key: templateId,
      value: {
        ...changeEnvelope("template", change, change.wabaId),
        templateId,
        templateName,
        language,
        ...parts,
      },
    },
  };
}

function statusChange(value: Json, read: OptionalValues): TemplateEvent["status"] {
  const event = read.text(value, "event");
  if (event === null) return null;
  const disable = read.object(value, "disable_info");
  const other = read.object(value, "other_info");
  const rejection = read.object(value, "rejection_info");
  return {
    event,
    reason: read.text(value, "reason"),
    category: read.text(value, "message_template_category"),
    // Documented as an integer, shown quoted: read leniently, the value keeps what came.
    disableDate: disable ? secondsToMillis(disable.disable_date) : null,
    otherInfo: other
      ? { title: read.text(other, "title"), description: read.text(other, "description") }
      : null,
    rejectionInfo: rejection
      ? { reason: read.text(rejection, "reason"), recommendation: read.text(rejection, "recommendation") }
      : null,
  };
}

function qualityChange(value: Json, read: OptionalValues): TemplateEvent["quality"] {
  return {
    previousScore: read.text(value, "previous_quality_score"),
    newScore: read.text(value, "new_quality_score"),
  };
}

function categoryChange(value: Json, read: OptionalValues): TemplateEvent["category"] {
  const correctCategory = read.text(value, "correct_category");
  return {
    announced: correctCategory !== null,
    previousCategory: read.text(value, "previous_category"),
    newCategory: read.text(value, "new_category"),
    correctCategory,
    categoryUpdateTime: read.millis(value, "category_update_timestamp"),
  };
}

function components(value: Json, read: OptionalValues): TemplateEvent["components"] {
  return {
    title: read.text(value, "message_template_title"),
    body: read.text(value, "message_template_element"),
    footer: read.text(value, "message_template_footer"),
    buttons: read.objects(value, "message_template_buttons").map((button): TemplateButton => ({
      type: read.text(button, "message_template_button_type"),
      text: read.text(button, "message_template_button_text"),
      url: read.text(button, "message_template_button_url"),
      phoneNumber: read.text(button, "message_template_button_phone_number"),
    })),
  };
}
