import { COMPATIBILITY, SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { ConfluentSchemaRegistryCompatibilityError } from "@kafkajs/confluent-schema-registry/dist/errors";
import { Type } from "avsc";
import { encodeConfluentWire } from "./confluent-wire";
import { schemaRegistryClientArgs, type SchemaRegistryConnection } from "./schema-registry-client";
import { topicContracts, topicName, topicSchema, valueSubject, type TopicId } from "./topics";

/** Attempts at registering one subject when services starting together race on it (see below). */
const registrationAttempts = 5;

/**
 * Avro in Confluent wire format (magic byte, 4-byte schema id, Avro body) through a
 * Confluent-compatible schema registry. Registration puts each schema under its TopicNameStrategy
 * subject with BACKWARD_TRANSITIVE compatibility; the registry refuses an incompatible change.
 */
export class ContractSerde {
  private readonly schemaIds = new Map<TopicId, number>();
  /** Each topic's Avro type, built from the same schema file that was registered. */
  private readonly types = new Map<TopicId, Type>();
  readonly registry: SchemaRegistry;

  constructor(
    private readonly connection: SchemaRegistryConnection,
    private readonly topicPrefix: string,
  ) {
    this.registry = new SchemaRegistry(schemaRegistryClientArgs(connection));
  }

  /**
   * Registers (or finds) the current schema of each topic; idempotent, safe at every start-up. A refusal
   * of the credentials (401, 403) fails with a RegistryAccessError that names the registry and the user.
   */
  async register(topics: readonly TopicId[]): Promise<void> {
    for (const topic of topics) {
      try {
        this.schemaIds.set(topic, await this.registerSchema(topic));
      } catch (error) {
        const status = statusOf(error);
        if (status !== 401 && status !== 403) throw error;
        throw new RegistryAccessError(
          `the schema registry at ${this.connection.url} refused ${this.connection.credentials} (HTTP ${status}) ` +
            `registering ${valueSubject(topic, this.topicPrefix)}`,
          status,
          { cause: error },
        );
      }
    }
  }

  /**
   * Services starting together race on a new subject: each sees no compatibility rule, registers, then
   * sets the rule. Two ways to lose that race: Apicurio refuses the second setting (409 Conflict), or a
   * service reads the subject's rule after another registered the schema but before it set the rule,
   * sees NONE and the library throws its compatibility error. A later attempt finds the rule in place
   * and only looks the schema up. A subject set to another rule, or an incompatible schema (also 409),
   * still fails after the attempts, with the library's error.
   */
  private async registerSchema(topic: TopicId, attempt = 1): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(topicSchema(topic)) },
        { subject: valueSubject(topic, this.topicPrefix), compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
      );
      return id;
    } catch (error) {
      if (attempt >= registrationAttempts || !lostRegistrationRace(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      return this.registerSchema(topic, attempt + 1);
    }
  }

  schemaId(topic: TopicId): number {
    const id = this.schemaIds.get(topic);
    if (id === undefined) {
      throw new Error(
        `schema of ${topicContracts[topic].name} is not registered yet: call register() at start-up`,
      );
    }
    return id;
  }

  async encode(topic: TopicId, value: unknown): Promise<Buffer> {
    return encodeConfluentWire(this.typeOf(topic), this.schemaId(topic), value);
  }

  private typeOf(topic: TopicId): Type {
    let type = this.types.get(topic);
    if (!type) {
      type = Type.forSchema(topicSchema(topic) as Parameters<typeof Type.forSchema>[0]);
      this.types.set(topic, type);
    }
    return type;
  }

  /** Decodes any record in Confluent wire format, fetching (and caching) its writer schema by id. */
  async decode<T>(buffer: Buffer): Promise<T> {
    return (await this.registry.decode(buffer)) as T;
  }

  topic(topic: TopicId): string {
    return topicName(topic, this.topicPrefix);
  }
}

/** The registry refused the credentials (or their absence): wrong, expired, or without the right. */
export class RegistryAccessError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RegistryAccessError";
  }
}

/** The registry's status code in one of the library's HTTP errors (which it does not export). */
function statusOf(error: unknown): unknown {
  return typeof error === "object" && error !== null && "status" in error ? error.status : undefined;
}

/** The registry's answer when two services register the same subject at once (see registerSchema). */
export function lostRegistrationRace(error: unknown): boolean {
  if (error instanceof ConfluentSchemaRegistryCompatibilityError) return true;
  return statusOf(error) === 409;
}
