import type { Projection } from "../framework/projection";
import { accountProjection } from "./account/projection";
import { callsProjection } from "./calls/projection";
import { conversationProjection } from "./conversation/projection";
import { groupsProjection } from "./groups/projection";
import { paymentsProjection } from "./payments/projection";
import { phoneNumberProjection } from "./phone-number/projection";
import { statusProjection } from "./status/projection";
import { templatesProjection } from "./templates/projection";

/** Every projection this product runs, by name: one line each. */
export const projections: Record<string, Projection<never>> = {
  [statusProjection.name]: statusProjection as Projection<never>,
  [conversationProjection.name]: conversationProjection as Projection<never>,
  [templatesProjection.name]: templatesProjection as Projection<never>,
  [accountProjection.name]: accountProjection as Projection<never>,
  [phoneNumberProjection.name]: phoneNumberProjection as Projection<never>,
  [callsProjection.name]: callsProjection as Projection<never>,
  [paymentsProjection.name]: paymentsProjection as Projection<never>,
  [groupsProjection.name]: groupsProjection as Projection<never>,
};
