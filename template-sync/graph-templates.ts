import type { TemplateButton, TemplateComponents, TemplateEvent } from "../contracts/generated/types";
import { sha256Hex } from "../ingress/domain/event-ids";

/** The field of the template sync's events on whatsapp.template.event.v1. */
export const templateSyncField = "template_sync";

/** The template fields the sync asks for (the default set lacks the quality score and the reasons). */
export const templateFieldsParam =
  "id,name,language,status,category,previous_category,quality_score,rejected_reason,components";

/** One page of GET /<waba id>/message_templates: its templates and the next page's URL, if any. */
export interface TemplatePage {
  templates: Record<string, unknown>[];
  next: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** The page in a 200 answer's body, or null when it is not one (no `data` array). */
export function readTemplatePage(body: unknown): TemplatePage | null {
  if (!isObject(body) || !Array.isArray(body.data)) return null;
  const paging = isObject(body.paging) ? body.paging : {};
  return {
    templates: body.data.filter(isObject),
    // Absent `next` is the end: an empty page with a `next` is not (Graph API "Paginated Results").
    next: text(paging.next) || null,
  };
}

/** The Graph API's components in the shape of message_template_components_update. */
function componentsOf(value: unknown): TemplateComponents | null {
  if (!Array.isArray(value)) return null;
  const components = value.filter(isObject);
  const ofType = (type: string) => components.find((c) => text(c.type)?.toUpperCase() === type);
  const header = ofType("HEADER");
  const buttons = ofType("BUTTONS");
  return {
    // Only a TEXT header has text; a media header has none.
    title: text(header?.text),
    body: text(ofType("BODY")?.text),
    footer: text(ofType("FOOTER")?.text),
    buttons: (Array.isArray(buttons?.buttons) ? buttons.buttons : [])
      .filter(isObject)
      .map((button): TemplateButton => ({
        type: text(button.type),
        text: text(button.text),
        url: text(button.url),
        phoneNumber: text(button.phone_number),
      })),
  };
}

/** quality_score as `{score, date}` (the template node) or a plain string. */
const qualityScoreOf = (value: unknown): string | null => (isObject(value) ? text(value.score) : text(value));

const digits = /^\d+$/;

/**
 * A template as the Graph API returned it, as a template_sync event read at `readAt` during the run
 * `runId`; null for an item without a template id. The event id is the hash of what was read and when.
 */
export function templateSyncEvent(
  template: Record<string, unknown>,
  context: { wabaId: string; readAt: number; runId: string },
): { key: string; value: TemplateEvent } | null {
  const id =
    typeof template.id === "number" && Number.isSafeInteger(template.id)
      ? String(template.id)
      : text(template.id);
  if (id === null || !digits.test(id)) return null;
  const valueJson = JSON.stringify(template);
  return {
    key: id,
    value: {
      eventId: sha256Hex("template-sync", context.wabaId, id, String(context.readAt), valueJson),
      rawEventId: context.runId,
      wabaId: context.wabaId,
      field: templateSyncField,
      templateId: id,
      templateName: text(template.name),
      language: text(template.language),
      status: null,
      quality: null,
      category: null,
      components: null,
      snapshot: {
        status: text(template.status),
        category: text(template.category),
        previousCategory: text(template.previous_category),
        qualityScore: qualityScoreOf(template.quality_score),
        rejectedReason: text(template.rejected_reason),
        components: componentsOf(template.components),
      },
      eventTime: context.readAt,
      receivedAt: context.readAt,
      valueJson,
    },
  };
}
