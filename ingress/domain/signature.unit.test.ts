import { signatureHeaderProblem, signBody, verifySignature } from "./signature";

const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

/**
 * Known answers computed by another tool, not by this code:
 * `printf '%s' "<body>" | openssl dgst -sha256 -hmac '<secret>' -hex` (OpenSSL 3, 2026-12-06).
 */
const knownAnswers = [
  {
    body: '{"object":"whatsapp_business_account","entry":[]}',
    secret: "s3cret",
    header: "sha256=76d7cf0d41b1c62907ab63a2ffb509a14ebd4bfe05b33a2e8c6960459868a174",
  },
  {
    body: '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp"}}]}]}',
    secret: "e5f1c6b3a9d24f7e8b0c1d2e3f4a5b6c",
    header: "sha256=67897e7224f50c6a64220afaee65b6426ea43c0b1348b82ae7d898a9bc338e57",
  },
  // UTF-8 bytes, as Meta signs them (é is two bytes, ☕ three).
  {
    body: "caf\u00e9 \u2615",
    secret: "s3cret",
    header: "sha256=7ff0d3cf3b7b2270640052fea1b5d14cac048fa6cd4978ad8707254d29edf4de",
  },
];

describe("known answers computed by openssl", () => {
  it.each(knownAnswers)(
    "accepts the header openssl computed, and signs the same",
    ({ body: text, secret, header }) => {
      const bytes = Buffer.from(text, "utf8");
      expect(verifySignature(bytes, header, [secret])).toEqual({ valid: true, secretIndex: 0 });
      expect(signBody(bytes, secret)).toBe(header);
      expect(verifySignature(bytes, header, ["another secret"])).toEqual({
        valid: false,
        reason: "mismatch",
      });
    },
  );
});

describe("verifySignature", () => {
  it("accepts the HMAC-SHA256 of the raw bytes with the app secret", () => {
    expect(verifySignature(body, signBody(body, "s3cret"), ["s3cret"])).toEqual({
      valid: true,
      secretIndex: 0,
    });
  });

  it("accepts upper-case hex as Meta's header is case-insensitive hex", () => {
    expect(
      verifySignature(body, signBody(body, "s3cret").toUpperCase().replace("SHA256=", "sha256="), ["s3cret"])
        .valid,
    ).toBe(true);
  });

  it("refuses a missing header", () => {
    expect(verifySignature(body, undefined, ["s3cret"])).toEqual({ valid: false, reason: "missing" });
    expect(verifySignature(body, "", ["s3cret"])).toEqual({ valid: false, reason: "missing" });
  });

  it("refuses a malformed header", () => {
    expect(verifySignature(body, "sha1=abc", ["s3cret"])).toEqual({ valid: false, reason: "malformed" });
    expect(verifySignature(body, "sha256=xyz", ["s3cret"])).toEqual({ valid: false, reason: "malformed" });
    expect(verifySignature(body, signBody(body, "s3cret").slice(0, -2), ["s3cret"])).toEqual({
      valid: false,
      reason: "malformed",
    });
  });

  it("refuses a signature made with another secret", () => {
    expect(verifySignature(body, signBody(body, "other"), ["s3cret"])).toEqual({
      valid: false,
      reason: "mismatch",
    });
  });

  it("refuses a tampered body, even by one byte", () => {
    const header = signBody(body, "s3cret");
    const tampered = Buffer.from(body);
    tampered[tampered.length - 2] = "}".charCodeAt(0) + 1;
    expect(verifySignature(tampered, header, ["s3cret"])).toEqual({ valid: false, reason: "mismatch" });
  });

  it("checks the raw bytes, not a re-serialised JSON", () => {
    const spaced = Buffer.from('{ "object": "whatsapp_business_account", "entry": [] }');
    expect(verifySignature(spaced, signBody(body, "s3cret"), ["s3cret"]).valid).toBe(false);
    expect(verifySignature(spaced, signBody(spaced, "s3cret"), ["s3cret"]).valid).toBe(true);
  });

  it("accepts either secret during a rotation and tells which matched", () => {
    expect(verifySignature(body, signBody(body, "new"), ["old", "new"])).toEqual({
      valid: true,
      secretIndex: 1,
    });
    expect(verifySignature(body, signBody(body, "old"), ["old", "new"])).toEqual({
      valid: true,
      secretIndex: 0,
    });
    expect(verifySignature(body, signBody(body, "retired"), ["old", "new"]).valid).toBe(false);
  });

  it("refuses everything when no secret is configured, saying so", () => {
    expect(verifySignature(body, signBody(body, "s3cret"), [])).toEqual({
      valid: false,
      reason: "no_app_secret",
    });
  });
});

describe("signatureHeaderProblem", () => {
  it("passes sha256= and 64 hex digits, whatever their case", () => {
    expect(signatureHeaderProblem(`sha256=${"aB".repeat(32)}`)).toBeNull();
  });

  it.each([
    ["missing", undefined],
    ["missing", ""],
    ["malformed", "sha256=zz"],
    ["malformed", `sha1=${"a".repeat(40)}`],
    ["malformed", `sha256=${"a".repeat(63)}`],
    ["malformed", `sha256=${"a".repeat(65)}`],
  ])("calls %s the header %p", (problem, header) => {
    expect(signatureHeaderProblem(header)).toBe(problem);
  });
});
