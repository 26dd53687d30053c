import type { Admin, Kafka } from "kafkajs";
import { MongoClient, type Db } from "mongodb";
import { topicName, type TopicId } from "../../contracts/topics";
import { conversationProjection } from "../../projector/projections/conversation/projection";
import { statusProjection } from "../../projector/projections/status/projection";
import { removeRunData } from "../../tests/support/run-data";
import type { ServiceProcess } from "../../tests/support/service-process";
import { stackKafka } from "../../tests/support/stack-clients";
import type { SignedDelivery } from "../delivery-mix";
import { isRunning, startLoggedService } from "../faults/fault-run";
import { serviceCode, type ProjectorName } from "../service-code";
import { SignedLoad } from "../signed-load";
import { stackAddresses } from "../stack-addresses";
import { steadyDeliveries } from "../steady-load";
import { recycledConnections, RoundRobinProxy } from "./round-robin-proxy";

/**
 * How a run may sabotage itself, to show its checks can fail: `skip-actions` leaves out every kill and
 * addition (each step's own checks must then fail); `drop-records` deletes every record of the status
 * and inbound topics not yet applied right after the SIGKILL, as a retention too short would (the audit
 * must count lost effects); `double-effects` applies one status and one inbound message a second time
 * in the read models once the projectors are done (the audit must count duplicated effects). Several
 * may be asked for at once.
 */
export type Sabotage = "skip-actions" | "drop-records" | "double-effects";

export const projectorNames: readonly ProjectorName[] = ["status", "conversation"];
export const projectionTopics: Record<ProjectorName, readonly TopicId[]> = {
  status: statusProjection.topics,
  conversation: conversationProjection.topics,
};

/** A consumer group as the checks look at it: its id, its topics and their partitions. */
export interface GroupSpec {
  id: string;
  topics: string[];
  partitions: number;
}

export interface Replica {
  name: string;
  projection: ProjectorName;
  process: ServiceProcess;
}

/**
 * Everything `make scale` acts on: the stack, the services as processes (any number of ingresses and
 * projector replicas), the proxy before the ingresses and the signed load through it. Each part of the
 * run (`replicas`, `drain`) has topics of its own (TOPIC_PARTITIONS partitions) and a database of its own.
 */
export class ScaleRun {
  readonly runId = `s${Date.now().toString(36)}`;
  readonly appSecret = "scale-app-secret";
  readonly stack = stackAddresses();
  readonly code = serviceCode();
  /** Exits nobody asked for (a SIGKILL or SIGTERM by a step is asked for). */
  readonly crashes: string[] = [];
  /** Every replica started, live or not. */
  readonly replicas: Replica[] = [];
  readonly ingresses: ServiceProcess[] = [];
  readonly mongo: MongoClient;
  readonly kafka: Kafka;
  /** The replica phase's admin client (kafkajs keeps asking about topics it once saw: one per part). */
  readonly admin: Admin;
  readonly steady: () => SignedDelivery;
  proxy!: RoundRobinProxy;
  load!: SignedLoad;
  private started = 0;

  constructor(
    readonly partitions: number,
    readonly rate: number,
    readonly sabotage: ReadonlySet<Sabotage>,
    private readonly recoveryWindowMs: number,
    readonly log: (message: string) => void,
  ) {
    this.mongo = new MongoClient(this.stack.MONGODB_URI);
    this.kafka = stackKafka("whatsapp-events-scale", { KAFKA_BROKERS: this.stack.KAFKA_BROKERS });
    this.admin = this.kafka.admin();
    this.steady = steadyDeliveries(this.runId, this.appSecret);
  }

  async connect(): Promise<void> {
    await this.admin.connect();
  }

  /** The services' environment for one part of the run: topics, groups and database of its own. */
  env(part: string): Record<string, string> {
    return {
      ...this.stack,
      TOPIC_PREFIX: `scale-${this.runId}-${part}.`,
      TOPIC_PARTITIONS: String(this.partitions),
      MONGODB_DB: `whatsapp_scale_${this.runId}_${part}`,
      WHATSAPP_APP_SECRET: this.appSecret,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "scale-verify",
      // Logs (.stack/logs/scale-<run>-<service>.log) are what a failed run leaves to read.
      LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? "info",
    };
  }

  db(part: string): Db {
    return this.mongo.db(this.env(part).MONGODB_DB!);
  }

  topic(part: string, topic: TopicId): string {
    return topicName(topic, this.env(part).TOPIC_PREFIX!);
  }

  /** A projection's group in a part of the run: the default group, or `id` when the replicas are told one. */
  group(part: string, projection: ProjectorName, id?: string): GroupSpec {
    const prefix = this.env(part).TOPIC_PREFIX!;
    return {
      id: id ?? `${prefix}whatsapp-${projection}-projector`,
      topics: projectionTopics[projection].map((topic) => topicName(topic, prefix)),
      partitions: this.partitions,
    };
  }

  /** Two ingresses (the first creates the topics), the proxy before them, the load through the proxy. */
  async startIngresses(part: string, count: number): Promise<void> {
    for (let i = 1; i <= count; i++) this.ingresses.push(await this.startIngress(part, `ingress-${i}`));
    this.proxy = new RoundRobinProxy(this.ingresses.map(({ name, port }) => ({ name, port })));
    const address = await this.proxy.listen();
    this.load = new SignedLoad(address, this.recoveryWindowMs, recycledConnections(20));
  }

  /** Starts an ingress again on the port it had, so the proxy reaches it there. */
  async restartIngress(part: string, index: number): Promise<void> {
    const old = this.ingresses[index]!;
    this.ingresses[index] = await this.startIngress(part, old.name, old.port);
  }

  private startIngress(part: string, name: string, port?: number): Promise<ServiceProcess> {
    return startLoggedService({
      name,
      logName: `scale-${this.runId}-${name}${port ? `-${++this.started}` : ""}`,
      service: this.code.ingress,
      env: { ...this.env(part), ...(port ? { PORT: String(port) } : {}) },
      crashes: this.crashes,
    });
  }

  /** Starts one more replica of a projection: `env` is the part's, with any override. */
  async addReplica(projection: ProjectorName, env: Record<string, string>, label = ""): Promise<Replica> {
    const name = `${label}${projection}-${++this.started}`;
    const process = await startLoggedService({
      name,
      logName: `scale-${this.runId}-${name}`,
      service: this.code.projectors[projection],
      env,
      crashes: this.crashes,
    });
    const replica = { name, projection, process };
    this.replicas.push(replica);
    return replica;
  }

  live(projection: ProjectorName): Replica[] {
    return this.replicas.filter((r) => r.projection === projection && isRunning(r.process));
  }

  /** Deletes a part's topics and database (or the whole run's); `BENCH_KEEP_DATA=1` keeps them. */
  async removeData(part = ""): Promise<void> {
    if (process.env.BENCH_KEEP_DATA === "1") return;
    const removed = await removeRunData({
      brokers: this.stack.KAFKA_BROKERS,
      mongoUri: this.stack.MONGODB_URI,
      topicPrefix: `scale-${this.runId}-${part}`,
      databasePrefix: `whatsapp_scale_${this.runId}_${part}`,
    });
    this.log(
      `removed ${removed.topics} topics and ${removed.databases} databases${part ? ` of ${part}` : ""}`,
    );
  }

  /**
   * Stops every service still running (SIGTERM) and the proxy: before their topics go, which a running
   * consumer would create again.
   */
  async stopServices(): Promise<void> {
    this.load?.stopSending();
    const running = [...this.ingresses, ...this.replicas.map((r) => r.process)].filter(isRunning);
    await Promise.all(running.map((service) => service.stop()));
    await this.proxy?.close();
  }

  async stop(): Promise<void> {
    await this.stopServices();
    await this.admin.disconnect();
    await this.mongo.close();
  }

  async kill(): Promise<void> {
    this.load?.stopSending();
    await Promise.all([...this.ingresses, ...this.replicas.map((r) => r.process)].map((s) => s.kill()));
  }
}
