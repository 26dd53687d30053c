import { editMessage } from "../../../tests/fixtures/identity-webhooks";
import { inboundEvent } from "../../../tests/fixtures/inbound-events";
import { inboundMessageBodies } from "../../../tests/fixtures/meta-webhooks";
import { eventFrom } from "../../../tests/fixtures/customer-scenarios";
import { editPreviewOf, previewOf } from "./message-preview";

const body = (name: string) => inboundMessageBodies[name]!;

describe("previewOf", () => {
  it("shows text, captions, replies and a type tag otherwise", () => {
    expect(previewOf(inboundEvent("w", 1, body("text")))).toBe("Does it come in another color?");
    expect(previewOf(inboundEvent("w", 1, body("image")))).toBe("This one");
    expect(previewOf(inboundEvent("w", 1, body("interactive_button_reply")))).toBe("Cancel order");
    expect(previewOf(inboundEvent("w", 1, body("location")))).toBe("Philz Coffee");
    expect(previewOf(inboundEvent("w", 1, body("unsupported")))).toBe("[unsupported]");
    expect(previewOf(inboundEvent("w", 1, { type: "text", text: { body: "y".repeat(300) } })).length).toBe(
      100,
    );
  });
});

describe("editPreviewOf", () => {
  it("shows an edit's new text or its media's new caption", () => {
    expect(editPreviewOf(eventFrom(editMessage({ body: "In blue?" })))).toBe("In blue?");
    const caption = editMessage({ media: { type: "image", caption: "Updated image caption" } });
    expect(editPreviewOf(eventFrom(caption))).toBe("Updated image caption");
  });
});
