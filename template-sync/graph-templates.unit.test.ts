import { readTemplatePage, templateSyncEvent } from "./graph-templates";

// Meta's example answer of GET /<WABA_ID>/message_templates (Template management page), cut to one template.
const reservation = {
  name: "reservation_confirmation",
  parameter_format: "NAMED",
  components: [
    { type: "HEADER", format: "IMAGE", example: { header_handle: ["https://scontent.whatsapp.net/v/t61"] } },
    { type: "BODY", text: "*You're all set!* See you then!" },
    { type: "FOOTER", text: "Lucky Shrub Eatery: The Luckiest Eatery in Town!" },
    {
      type: "BUTTONS",
      buttons: [
        { type: "URL", text: "Change reservation", url: "https://www.luckyshrubeater.com/reservations" },
        { type: "PHONE_NUMBER", text: "Call us", phone_number: "+16467043595" },
        { type: "QUICK_REPLY", text: "Cancel reservation" },
      ],
    },
  ],
  language: "en_US",
  status: "APPROVED",
  category: "UTILITY",
  quality_score: { score: "GREEN", date: 1750000000 },
  id: "1387372356726668",
};
const context = { wabaId: "102290129340398", readAt: 1_765_000_000_000, runId: "run-1" };

describe("readTemplatePage", () => {
  it("reads the templates and the next page, and ends where paging.next is absent", () => {
    expect(
      readTemplatePage({ data: [reservation], paging: { cursors: { after: "x" }, next: "https://g/next" } }),
    ).toEqual({ templates: [reservation], next: "https://g/next" });
    expect(readTemplatePage({ data: [], paging: { cursors: { before: "a", after: "b" } } })).toEqual({
      templates: [],
      next: null,
    });
    expect(readTemplatePage({ data: [], paging: { next: "https://g/2" } })?.next).toBe("https://g/2");
    expect(readTemplatePage({ error: { code: 190 } })).toBeNull();
  });
});

describe("templateSyncEvent", () => {
  it("types a template as a template_sync event keyed by its id, components in the webhook's shape", () => {
    const { key, value } = templateSyncEvent(reservation, context)!;
    expect(key).toBe("1387372356726668");
    expect(value).toMatchObject({
      wabaId: context.wabaId,
      field: "template_sync",
      templateId: "1387372356726668",
      templateName: "reservation_confirmation",
      language: "en_US",
      rawEventId: "run-1",
      eventTime: context.readAt,
      receivedAt: context.readAt,
      status: null,
      quality: null,
      category: null,
      components: null,
      valueJson: JSON.stringify(reservation),
      snapshot: {
        status: "APPROVED",
        category: "UTILITY",
        previousCategory: null,
        qualityScore: "GREEN",
        rejectedReason: null,
        components: {
          title: null,
          body: "*You're all set!* See you then!",
          footer: "Lucky Shrub Eatery: The Luckiest Eatery in Town!",
          buttons: [
            {
              type: "URL",
              text: "Change reservation",
              url: "https://www.luckyshrubeater.com/reservations",
              phoneNumber: null,
            },
            { type: "PHONE_NUMBER", text: "Call us", url: null, phoneNumber: "+16467043595" },
            { type: "QUICK_REPLY", text: "Cancel reservation", url: null, phoneNumber: null },
          ],
        },
      },
    });
  });

  it("takes a text header as the title, keeps values it does not know, and skips an item without an id", () => {
    const template = {
      id: "18446744073709551615",
      status: "SOME_NEW_STATUS",
      components: [{ type: "HEADER", format: "TEXT", text: "Act fast, {{1}}!" }],
      quality_score: "RED",
    };
    const { key, value } = templateSyncEvent(template, context)!;
    expect(key).toBe("18446744073709551615");
    expect(value.snapshot).toMatchObject({
      status: "SOME_NEW_STATUS",
      qualityScore: "RED",
      components: { title: "Act fast, {{1}}!", body: null, footer: null, buttons: [] },
    });
    expect(templateSyncEvent({ name: "no_id" }, context)).toBeNull();
    expect(templateSyncEvent({ id: "12ab" }, context)).toBeNull();
  });

  it("gives the same event id for the same template read at the same time, another for another time", () => {
    const id = (readAt: number) => templateSyncEvent(reservation, { ...context, readAt })!.value.eventId;
    expect(id(1)).toBe(id(1));
    expect(id(1)).not.toBe(id(2));
  });
});
