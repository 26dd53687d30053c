import { topicContracts } from "../../contracts/topics";
import type { BenchRun } from "../bench-run";
import { inboundBacklog, measureApplyRate, preload, statusBacklog, type ApplyRate } from "../projector-rate";
import type { ProjectorName } from "../service-code";
import type { Phase, Row } from "./phase";
import { fixed as f } from "./text";

interface ProjectorBacklog {
  name: ProjectorName;
  topic: "messageStatus" | "inboundMessage";
  events: (count: number, runId: string) => { key: string; value: unknown }[];
}

const backlogs: ProjectorBacklog[] = [
  {
    name: "status",
    topic: "messageStatus",
    events: (count, runId) => statusBacklog(count, runId).map((e) => ({ key: e.wamid, value: e as unknown })),
  },
  {
    name: "conversation",
    topic: "inboundMessage",
    events: (count, runId) =>
      inboundBacklog(count, runId).map((e) => ({ key: `${e.phoneNumberId}:${e.from}`, value: e as unknown })),
  },
];

/** Each projector's apply rate from a preloaded topic; its backlog and read model go right after. */
export const projectorsPhase: Phase = {
  name: "projector apply rates",
  run: async (run) => {
    const backlogEvents = Number(process.env.BENCH_BACKLOG_EVENTS ?? 200_000);
    const rates: ApplyRate[] = [];
    for (const backlog of backlogs) rates.push(await measureProjector(run, backlog, backlogEvents));
    const [status, conversation] = rates as [ApplyRate, ApplyRate];
    const row = (name: ProjectorName, rate: ApplyRate): Row => [
      `${name} projector apply rate`,
      `${f(rate.eventsPerSecond)} events/s`,
      `${backlogEvents} preloaded, ${f(rate.seconds, 1)} s`,
    ];
    return {
      rows: [row("status", status), row("conversation", conversation)],
      json: {
        projector_eps: Math.round(status.eventsPerSecond),
        conversation_eps: Math.round(conversation.eventsPerSecond),
      },
      targets: {},
    };
  },
};

async function measureProjector(
  run: BenchRun,
  backlog: ProjectorBacklog,
  events: number,
): Promise<ApplyRate> {
  const service = run.code.projectors[backlog.name];
  const env = { ...run.serviceEnv(backlog.name), ...service.env };
  run.log(`preloading ${events} events for the ${backlog.name} projector`);
  await preload(env.TOPIC_PREFIX!, backlog.topic, backlog.events(events, run.runId));
  const rate = await measureApplyRate({
    entry: service.entry,
    topic: `${env.TOPIC_PREFIX}${topicContracts[backlog.topic].name}`,
    events,
    env,
    // The projectors' default group: TOPIC_PREFIX + service name.
    group: `${env.TOPIC_PREFIX}whatsapp-${backlog.name}-projector`,
  });
  run.log(
    `${backlog.name} projector: ${rate.eventsPerSecond.toFixed(0)} events/s (${rate.seconds.toFixed(1)} s)`,
  );
  await run.removeBenchData(backlog.name);
  return rate;
}
