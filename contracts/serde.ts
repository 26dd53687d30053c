import { COMPATIBILITY, SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { topicContracts, topicName, topicSchema, valueSubject, type TopicId } from "./topics";

/**
 * Avro in Confluent wire format (magic byte, 4-byte schema id, Avro body) through a
 * Confluent-compatible schema registry. Registration puts each schema under its TopicNameStrategy
 * subject with BACKWARD_TRANSITIVE compatibility; the registry refuses an incompatible change.
 */
export class ContractSerde {
  private readonly schemaIds = new Map<TopicId, number>();
  readonly registry: SchemaRegistry;

  constructor(
    registryUrl: string,
    private readonly topicPrefix: string,
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  /** Registers (or finds) the current schema of each topic; idempotent, safe at every start-up. */
  async register(topics: readonly TopicId[]): Promise<void> {
    for (const topic of topics) {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(topicSchema(topic)) },
        { subject: valueSubject(topic, this.topicPrefix), compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
      );
      this.schemaIds.set(topic, id);
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
    return this.registry.encode(this.schemaId(topic), value);
  }

  /** Decodes any record in Confluent wire format, fetching (and caching) its writer schema by id. */
  async decode<T>(buffer: Buffer): Promise<T> {
    return (await this.registry.decode(buffer)) as T;
  }

  topic(topic: TopicId): string {
    return topicName(topic, this.topicPrefix);
  }
}
