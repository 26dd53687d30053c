import type { TemplateEvent } from "../../../contracts/generated/types";
import { statusChange, syncedTemplate, templateEvent } from "../../../tests/fixtures/template-events";
import { permutations } from "../../../tests/support/orders";
import { evolveTemplate, snapshotsKept, type TemplateDocument } from "./template-document";

const id = "1689556908129835";
const fold = (events: TemplateEvent[]): TemplateDocument =>
  events.reduce<TemplateDocument | null>((doc, event) => evolveTemplate(doc, event), null)!;
const expectSameInEveryOrder = (events: TemplateEvent[]): TemplateDocument => {
  const expected = fold(events);
  for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
  return expected;
};

const edited = {
  title: "Your order is confirmed!",
  body: "Thank you for your order, {{1}}!",
  footer: "Lucky Shrub",
  buttons: [
    { type: "URL", text: "Email support", url: "https://www.luckyshrub.com/support", phoneNumber: null },
  ],
};

describe("evolveTemplate", () => {
  it("takes the later arrival of two status changes in one Meta second as the latest, in either order", () => {
    const pending = templateEvent(id, 100, statusChange("PENDING", null), { receivedAt: 100_200 });
    const approved = templateEvent(id, 100, statusChange("APPROVED"), { receivedAt: 100_700 });

    expect(expectSameInEveryOrder([pending, approved]).status).toBe("APPROVED");
  });

  it("keeps the latest sync snapshots only, the same ones whatever their order", () => {
    const snapshots = Array.from({ length: snapshotsKept + 5 }, (_, run) =>
      templateEvent(id, 1000 + run * 900, syncedTemplate({ status: run % 2 ? "APPROVED" : "PAUSED" })),
    );
    const webhook = templateEvent(id, 500, statusChange("APPROVED"));
    const events = [webhook, ...snapshots];
    const expected = fold(events);

    expect(expected.history.filter((entry) => entry.snapshot).map((entry) => entry.at.getTime())).toEqual(
      snapshots.slice(-snapshotsKept).map((event) => event.eventTime),
    );
    expect(expected.history[0]!.eventId).toBe(webhook.eventId);
    for (let shift = 1; shift < events.length; shift++)
      expect(fold([...events.slice(shift), ...events.slice(0, shift)])).toEqual(expected);
    expect(fold([...events].reverse())).toEqual(expected);
  });

  it("keeps the latest state by Meta's time whatever the arrival order, every change once in history", () => {
    const events = [
      templateEvent(id, 100, statusChange("PENDING", null, "UTILITY")),
      templateEvent(id, 101, statusChange("APPROVED", "NONE", "UTILITY")),
      templateEvent(id, 102, { quality: { previousScore: "UNKNOWN", newScore: "GREEN" } }),
      templateEvent(id, 103, { components: edited }),
      templateEvent(id, 104, { quality: { previousScore: "GREEN", newScore: "YELLOW" } }),
    ];
    const doc = expectSameInEveryOrder(events);
    expect(doc).toMatchObject({
      _id: id,
      name: "order_confirmation",
      language: "en_US",
      category: "UTILITY",
      status: "APPROVED",
      statusReason: "NONE",
      qualityScore: "YELLOW",
      previousQualityScore: "GREEN",
      components: edited,
      updatedAt: new Date(104_000),
    });
    expect(doc.history.map((entry) => [entry.field, entry.at.getTime()])).toEqual([
      ["message_template_status_update", 100_000],
      ["message_template_status_update", 101_000],
      ["message_template_quality_update", 102_000],
      ["message_template_components_update", 103_000],
      ["message_template_quality_update", 104_000],
    ]);
  });

  it("keeps Meta's extra information of a pause, a rejection and a disable while that status lasts", () => {
    const otherInfo = { title: "FIRST_PAUSE", description: "Paused for 3 hours: low quality." };
    const rejectionInfo = { reason: "Bad format", recommendation: "Fix the variables" };
    const paused = templateEvent(id, 101, {
      status: { ...statusChange("PAUSED").status, otherInfo },
    });
    const rejected = templateEvent(id, 100, {
      status: { ...statusChange("REJECTED", "INVALID_FORMAT").status, rejectionInfo },
    });
    expect(expectSameInEveryOrder([paused, rejected])).toMatchObject({
      status: "PAUSED",
      statusReason: "NONE",
      statusInfo: { otherInfo, rejectionInfo: null, disabledAt: null },
    });
    const disabled = templateEvent(id, 102, {
      status: { ...statusChange("DISABLED").status, disableDate: 102_000 },
    });
    expect(expectSameInEveryOrder([paused, rejected, disabled]).statusInfo).toEqual({
      otherInfo: null,
      rejectionInfo: null,
      disabledAt: new Date(102_000),
    });
    expect(fold([rejected]).statusInfo).toEqual({ otherInfo: null, rejectionInfo, disabledAt: null });
    expect(fold([rejected, templateEvent(id, 105, statusChange("APPROVED"))]).statusInfo).toBeNull();
  });

  it("keeps the previous category and an announced change until it happens", () => {
    const announced = templateEvent(id, 100, {
      category: {
        announced: true,
        previousCategory: null,
        newCategory: "UTILITY",
        correctCategory: "MARKETING",
        categoryUpdateTime: 186_400_000,
      },
    });
    expect(fold([announced])).toMatchObject({
      category: "UTILITY",
      announcedCategoryChange: {
        category: "MARKETING",
        effectiveAt: new Date(186_400_000),
        announcedAt: new Date(100_000),
      },
    });
    const completed = templateEvent(id, 200, {
      category: {
        announced: false,
        previousCategory: "UTILITY",
        newCategory: "MARKETING",
        correctCategory: null,
        categoryUpdateTime: null,
      },
    });
    expect(expectSameInEveryOrder([announced, completed])).toMatchObject({
      category: "MARKETING",
      previousCategory: "UTILITY",
      announcedCategoryChange: null,
    });
    // A sync that already shows the announced category ends the announcement too.
    const synced = templateEvent(id, 150, syncedTemplate({ status: "APPROVED", category: "MARKETING" }));
    expect(expectSameInEveryOrder([announced, synced])).toMatchObject({
      category: "MARKETING",
      previousCategory: "UTILITY",
      announcedCategoryChange: null,
    });
  });

  it("converges a sync and the webhooks to one document in either order, the later by time winning", () => {
    const webhookPause = templateEvent(id, 200, {
      status: { ...statusChange("PAUSED").status, otherInfo: { title: "FIRST_PAUSE", description: null } },
    });
    const syncBefore = templateEvent(
      id,
      150,
      syncedTemplate({ status: "APPROVED", category: "UTILITY", qualityScore: "GREEN", components: edited }),
    );
    const syncAfter = templateEvent(
      id,
      250,
      syncedTemplate({ status: "PAUSED", category: "UTILITY", qualityScore: "RED", components: edited }),
    );
    expect(expectSameInEveryOrder([webhookPause, syncBefore])).toMatchObject({
      status: "PAUSED",
      statusInfo: { otherInfo: { title: "FIRST_PAUSE", description: null } },
      qualityScore: "GREEN",
      components: edited,
    });
    // The sync after the pause says the same status: Meta's pause details stay, the quality moves on.
    expect(expectSameInEveryOrder([webhookPause, syncBefore, syncAfter])).toMatchObject({
      status: "PAUSED",
      statusInfo: { otherInfo: { title: "FIRST_PAUSE", description: null } },
      qualityScore: "RED",
      previousQualityScore: "GREEN",
    });
  });

  it("takes the arrival time as the event's time when Meta sent none", () => {
    const untimed = templateEvent(id, 0, statusChange("APPROVED"), { eventTime: null, receivedAt: 300_000 });
    const timed = templateEvent(id, 200, statusChange("PAUSED"));
    expect(expectSameInEveryOrder([untimed, timed])).toMatchObject({
      status: "APPROVED",
      updatedAt: new Date(300_000),
    });
  });

  it("collapses duplicates and keeps fields it does not know", () => {
    const events = [
      templateEvent(id, 100, statusChange("APPROVED")),
      templateEvent(id, 101, { quality: { previousScore: null, newScore: "GREEN" } }),
    ];
    const once = fold(events);
    expect(evolveTemplate(once, events[0]!)).toBe(once);
    expect(fold([...events, ...events])).toEqual(once);
    const withExtra = { ...once, note: "kept" } as TemplateDocument;
    expect(evolveTemplate(withExtra, templateEvent(id, 102, statusChange("PAUSED")))).toMatchObject({
      note: "kept",
      status: "PAUSED",
    });
  });

  it("keeps a status Meta adds later as it came", () => {
    expect(fold([templateEvent(id, 100, statusChange("SOME_NEW_STATUS"))]).status).toBe("SOME_NEW_STATUS");
  });
});
