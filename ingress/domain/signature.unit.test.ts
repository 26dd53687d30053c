import { signatureHeaderProblem, signBody, verifySignature } from "./signature";

const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

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

  it("refuses everything when no secret is configured", () => {
    expect(verifySignature(body, signBody(body, "s3cret"), [])).toEqual({ valid: false, reason: "mismatch" });
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
