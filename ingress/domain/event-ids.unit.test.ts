import { typedChangeEventId } from "./event-ids";

describe("typed change event ids: the formula docs/topics.md states", () => {
  // Known answers computed with Python's hashlib: sha256 of the parts joined by U+0000, as hex.
  it("is a template event's known answer", () => {
    expect(
      typedChangeEventId(
        "template",
        "102290129340398",
        "message_template_status_update",
        1751247548000,
        '{"event":"APPROVED"}',
      ),
    ).toBe("8930a4dfa263a53f5e8e9fb93a032e23a4b7eaf604ad77bbcfd49e9fdfef6ccd");
  });

  it("is an account event's known answer, with no entry time", () => {
    expect(typedChangeEventId("account", "102290129340398", "account_alerts", null, "{}")).toBe(
      "0ac3a349a763b3eb43f54440b51b340e71d77b69dac4fec51aa610b766254c70",
    );
  });
});
