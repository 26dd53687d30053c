import { ConfluentSchemaRegistryCompatibilityError } from "@kafkajs/confluent-schema-registry/dist/errors";
import { plainRegistry } from "./schema-registry-client";
import { ContractSerde, lostRegistrationRace } from "./serde";

/** The shape of the library's HTTP errors, which it does not export. */
const registryAnswer = (status: number) =>
  Object.assign(new Error(`Schema Registry - status ${status}`), { status });

describe("lostRegistrationRace", () => {
  it("recognizes the race by the library's error class and the registry's status, not by message", () => {
    expect(lostRegistrationRace(new ConfluentSchemaRegistryCompatibilityError("anything"))).toBe(true);
    expect(lostRegistrationRace(registryAnswer(409))).toBe(true);
    expect(lostRegistrationRace(registryAnswer(500))).toBe(false);
    expect(lostRegistrationRace(new Error("A rule named 'COMPATIBILITY' already exists."))).toBe(false);
    expect(lostRegistrationRace("409")).toBe(false);
  });
});

describe("ContractSerde.register", () => {
  it("tries again after losing the race, and gives up at once on any other error", async () => {
    const serde = new ContractSerde(plainRegistry("http://127.0.0.1:1"), "test.");
    const register = jest
      .spyOn(serde.registry, "register")
      .mockRejectedValueOnce(registryAnswer(409))
      .mockResolvedValueOnce({ id: 7 });
    await serde.register(["messageStatus"]);
    expect(serde.schemaId("messageStatus")).toBe(7);
    expect(register).toHaveBeenCalledTimes(2);

    register.mockReset().mockRejectedValue(registryAnswer(500));
    await expect(serde.register(["rawWebhook"])).rejects.toMatchObject({ status: 500 });
    expect(register).toHaveBeenCalledTimes(1);
  });

  it("names the registry and the credentials it refused, never their secret", async () => {
    const serde = new ContractSerde(
      {
        url: "https://registry.example",
        authorization: "Basic c3ZjOnMzY3JldA==",
        credentials: "the basic credentials of user svc",
      },
      "test.",
    );
    jest.spyOn(serde.registry, "register").mockRejectedValue(registryAnswer(401));
    const refusal = serde.register(["rawWebhook"]);
    await expect(refusal).rejects.toMatchObject({
      name: "RegistryAccessError",
      status: 401,
      message:
        "the schema registry at https://registry.example refused the basic credentials of user svc (HTTP 401) registering test.whatsapp.webhook.raw.v1-value",
    });
  });
});
