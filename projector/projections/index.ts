import type { Projection } from "../framework/projection";
import { conversationProjection } from "./conversation/projection";
import { statusProjection } from "./status/projection";
import { templatesProjection } from "./templates/projection";

/** Every projection this product runs, by name: one line each. */
export const projections: Record<string, Projection<never>> = {
  [statusProjection.name]: statusProjection as Projection<never>,
  [conversationProjection.name]: conversationProjection as Projection<never>,
  [templatesProjection.name]: templatesProjection as Projection<never>,
};
