import path from "node:path";
import { MongoClient, type Db } from "mongodb";
import { stackAddresses } from "../stack-addresses";
import { serviceCode, type ServiceEntry } from "../service-code";
import { startServiceProcess, type ServiceProcess } from "../../tests/support/service-process";
import type { SignedDelivery } from "../delivery-mix";
import type { Audit } from "../effects-audit";
import { metricTotal, scrapeMetrics } from "../projector-health";
import { SignedLoad, type Attempt } from "../signed-load";
import { stackKind } from "../stack-faults";
import { auditSteadyLoad, steadyDeliveries } from "../steady-load";

/**
 * How a run may sabotage itself, to show its checks can fail: `skip-fault` runs every scenario without
 * its fault; `ingress-down` kills the ingress right after each fault and restarts it only after the audit.
 */
export type Sabotage = "none" | "skip-fault" | "ingress-down";

const services = ["ingress", "status", "conversation"] as const;
export type ServiceName = (typeof services)[number];
export const projectorNames = ["status", "conversation"] as const;

/** Whether a service's process has neither exited nor been killed. */
export const isRunning = (service: ServiceProcess): boolean =>
  service.child.exitCode === null && service.child.signalCode === null;

const logDirectory = path.resolve(__dirname, "../../.stack/logs");

/**
 * Starts a service as its own process, its output appended to .stack/logs/<logName>.log; an exit nobody
 * asked for (by its stop or kill, or a SIGKILL or SIGTERM from elsewhere) goes into `crashes`.
 */
export async function startLoggedService(options: {
  name: string;
  logName: string;
  service: ServiceEntry;
  env: Record<string, string>;
  crashes: string[];
}): Promise<ServiceProcess> {
  const { name, service, crashes } = options;
  const logFile = path.join(logDirectory, `${options.logName}.log`);
  const started = await startServiceProcess(
    name,
    service.entry,
    { ...options.env, ...service.env },
    180_000,
    logFile,
  );
  let asked = false;
  started.child.once("exit", (code, signal) => {
    if (!asked && signal !== "SIGKILL" && signal !== "SIGTERM")
      crashes.push(`${name} exited (${code ?? signal})`);
  });
  return {
    ...started,
    stop: () => {
      asked = true;
      return started.stop();
    },
    kill: () => {
      asked = true;
      return started.kill();
    },
  };
}

/** Every fault run's topics and database start so: `<prefix><run id>`. */
export const faultRunPrefixes = { topic: "faults-", database: "whatsapp_faults_" } as const;

/**
 * Everything a fault scenario acts on: the stack, the three services as processes, the signed load
 * and its history, and the run's database. One run holds them across all its scenarios, so each audit
 * covers every delivery sent since the start.
 */
export class FaultRun {
  readonly runId = `f${Date.now().toString(36)}`;
  readonly appSecret = "faults-app-secret";
  readonly stack = stackAddresses();
  readonly kind = stackKind();
  readonly env: Record<string, string>;
  readonly groups: Record<(typeof projectorNames)[number], string>;
  readonly services = {} as Record<ServiceName, ServiceProcess>;
  /** Exits nobody asked for (a kill -9 or stop by a scenario is asked for). */
  readonly crashes: string[] = [];
  /** Request ids of requests refused on purpose: none may reach the raw topic. */
  readonly refusedRequestIds: string[] = [];
  readonly mongo: MongoClient;
  load!: SignedLoad;
  /** Set while a scenario's fault or sabotage holds something to clean up on failure. */
  cleanUp: (() => Promise<unknown>) | undefined;
  private readonly code = serviceCode();

  constructor(
    readonly rate: number,
    readonly sabotage: Sabotage,
    private readonly recoveryWindowMs: number,
    readonly log: (message: string) => void,
  ) {
    this.env = {
      ...this.stack,
      TOPIC_PREFIX: `${faultRunPrefixes.topic}${this.runId}.`,
      MONGODB_DB: `${faultRunPrefixes.database}${this.runId}`,
      WHATSAPP_APP_SECRET: this.appSecret,
      WHATSAPP_WEBHOOK_VERIFY_TOKEN: "faults-verify",
      // info by default: the logs (.stack/logs/faults-<run>-<service>.log) are what a failed run leaves to read.
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? "info",
    };
    this.groups = {
      status: `${this.env.TOPIC_PREFIX}whatsapp-status-projector`,
      conversation: `${this.env.TOPIC_PREFIX}whatsapp-conversation-projector`,
    };
    this.mongo = new MongoClient(this.stack.MONGODB_URI);
    this.steady = steadyDeliveries(this.runId, this.appSecret);
  }

  get db(): Db {
    return this.mongo.db(this.env.MONGODB_DB!);
  }

  /** The steady load's next delivery: one in five from the customer hard cases, the rest the bench's mix. */
  readonly steady: () => SignedDelivery;

  async startServices(): Promise<void> {
    for (const name of services) await this.start(name);
    this.load = new SignedLoad(this.services.ingress.baseUrl, this.recoveryWindowMs);
  }

  /** Starts (or restarts, on the same port for the ingress) one service; its output goes to the run's log. */
  async start(name: ServiceName): Promise<void> {
    const port: Record<string, string> =
      name === "ingress" && this.services.ingress ? { PORT: String(this.services.ingress.port) } : {};
    this.services[name] = await startLoggedService({
      name,
      logName: `faults-${this.runId}-${name}`,
      service: name === "ingress" ? this.code.ingress : this.code.projectors[name],
      env: { ...this.env, ...port },
      crashes: this.crashes,
    });
  }

  /**
   * Every fault goes through here: a `skip-fault` run leaves it out (the scenario's checks must then
   * fail), an `ingress-down` run kills the ingress once it is in (the audit must then fail).
   */
  async inject<T>(what: string, fault: () => Promise<T>): Promise<T | undefined> {
    if (this.sabotage === "skip-fault") {
      this.log(`sabotage: skipping the fault (${what})`);
      return undefined;
    }
    const result = await fault();
    if (this.sabotage === "ingress-down") {
      this.log("sabotage: killing the ingress for the rest of the scenario");
      await this.services.ingress.kill();
    }
    return result;
  }

  /** After a scenario: the ingress back on its port if the sabotage took it down. */
  async recoverFromSabotage(): Promise<void> {
    if (!isRunning(this.services.ingress)) await this.start("ingress");
  }

  startLoad(next: () => SignedDelivery | undefined, perSecond: number): void {
    this.load.start(next, perSecond);
  }

  /** Attempts of every delivery that started in [from, to). */
  attemptsStarted(from: number, to: number): Attempt[] {
    return this.load.tracked.flatMap((t) =>
      t.attempts.filter((a) => a.startedAt >= from && a.startedAt < to),
    );
  }

  /** Events applied so far by each projector process (its own counter: it restarts from 0 with the process). */
  async projectorsApplied(): Promise<Record<(typeof projectorNames)[number], number>> {
    const [status, conversation] = await Promise.all(
      projectorNames.map(async (name) =>
        metricTotal(
          await scrapeMetrics(this.services[name].operationsUrl),
          "whatsapp_projector_events_applied_total",
        ),
      ),
    );
    return { status: status!, conversation: conversation! };
  }

  /** Drains the load, then audits every delivery since the start; a dead service or a crash fails it too. */
  async audit(scenarioName: string): Promise<Audit> {
    const audit = await auditSteadyLoad({
      label: scenarioName,
      load: this.load,
      refusedRequestIds: this.refusedRequestIds,
      topicPrefix: this.env.TOPIC_PREFIX!,
      groups: this.groups,
      db: this.db,
      log: this.log,
    });
    const dead = services.filter((name) => !isRunning(this.services[name]));
    if (dead.length || this.crashes.length)
      audit.details.push(`services down: ${[...dead, ...this.crashes].join(", ")}`);
    return audit;
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.services).map((s) => s.stop()));
    await this.mongo.close();
  }

  async kill(): Promise<void> {
    await this.cleanUp?.().catch(() => undefined);
    await Promise.all(Object.values(this.services).map((s) => s.kill()));
  }
}
