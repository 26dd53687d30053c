import type { TemplateEvent } from "../../../contracts/generated/types";
import { readModel, type Projection } from "../../framework/projection";
import { evolveTemplate, type TemplateDocument } from "./template-document";

/** The decoded record as a template event, or why it is not one: the ids and a time are needed. */
function validateTemplateEvent(decoded: unknown): TemplateEvent | string {
  if (typeof decoded !== "object" || decoded === null) return "record is not an object";
  const record = decoded as Record<string, unknown>;
  for (const field of ["eventId", "wabaId", "templateId", "field"])
    if (typeof record[field] !== "string" || (record[field] as string).length === 0)
      return `field ${field} is missing or empty`;
  const time = record.eventTime ?? record.receivedAt;
  if (typeof time !== "number" || !Number.isFinite(time) || time <= 0)
    return "neither eventTime nor receivedAt is a positive time";
  return decoded as TemplateEvent;
}

/** whatsapp.template.event.v1 -> templates: one document per template id. */
export const templatesProjection: Projection<TemplateEvent> = {
  name: "templates",
  topics: ["templateEvent"],
  validate: validateTemplateEvent,
  readModels: [
    readModel<TemplateEvent, TemplateDocument>({
      collection: "templates",
      // An account's templates by status (which are paused, rejected), by quality, and by name.
      indexes: [
        { wabaId: 1, status: 1 },
        { wabaId: 1, qualityScore: 1 },
        { wabaId: 1, name: 1, language: 1 },
      ],
      documentId: (event) => event.templateId,
      evolve: evolveTemplate,
    }),
  ],
};
