/** When a customer's message, edit or revoke happened, and its wamid. */
export interface EventStamp {
  at: Date;
  id: string;
}

/** Total order of a customer's messages and changes: by time, then by wamid (Meta's times are whole seconds). */
export const isLater = (a: EventStamp, b: EventStamp): boolean =>
  a.at.getTime() > b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id > b.id);
