import { answerHandshake } from "./verification-handshake";

describe("answerHandshake", () => {
  const query = { "hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444" };

  it("echoes the challenge for the configured token", () => {
    expect(answerHandshake(query, ["tok"])).toEqual({ status: 200, body: "1158201444" });
  });

  it("accepts any of several tokens", () => {
    expect(answerHandshake(query, ["other", "tok"]).status).toBe(200);
  });

  it("refuses a wrong token with 403", () => {
    expect(answerHandshake({ ...query, "hub.verify_token": "nope" }, ["tok"]).status).toBe(403);
    expect(answerHandshake({ ...query, "hub.verify_token": "to" }, ["tok"]).status).toBe(403);
    expect(answerHandshake({ ...query, "hub.verify_token": "" }, ["tok"]).status).toBe(403);
  });

  it("refuses a mode other than subscribe with 403", () => {
    expect(answerHandshake({ ...query, "hub.mode": "unsubscribe" }, ["tok"]).status).toBe(403);
  });

  it("answers 400 when a parameter is missing", () => {
    expect(answerHandshake({ "hub.mode": "subscribe", "hub.verify_token": "tok" }, ["tok"]).status).toBe(400);
    expect(answerHandshake({ "hub.verify_token": "tok", "hub.challenge": "1" }, ["tok"]).status).toBe(400);
    expect(answerHandshake({}, ["tok"]).status).toBe(400);
  });

  it("never echoes the challenge when no token is configured", () => {
    expect(answerHandshake(query, []).status).toBe(403);
  });
});
