import type { Projection } from "../framework/projection";
import { conversationProjection } from "./conversation/projection";
import { statusProjection } from "./status/projection";

/** Every projection this product runs, by name: one line each. */
export const projections: Record<string, Projection<never>> = {
  [statusProjection.name]: statusProjection as Projection<never>,
  [conversationProjection.name]: conversationProjection as Projection<never>,
};
