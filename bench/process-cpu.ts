import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { groupTicks, parseProcStat, type ProcessTimes } from "./proc-stat";

/** CPU seconds used so far by each process group found; a group with no process is absent. */
export type CpuSnapshot = Map<string, number>;

interface RunningProcess {
  times: ProcessTimes;
  argv: () => string[];
}

/** The stack's processes by what they run; the first match names a process's group. */
const stackGroups: [string, (p: RunningProcess) => boolean][] = [
  ["ferretdb", (p) => p.times.comm.startsWith("ferretdb")],
  ["postgres", (p) => p.times.comm === "postgres" || p.times.comm === "postmaster"],
  ["kafka", (p) => p.times.comm === "java" && p.argv().includes("kafka.Kafka")],
  [
    "schema_registry",
    (p) =>
      p.times.comm === "java" && p.argv().some((arg) => /quarkus-run\.jar|-runner\.jar|apicurio/i.test(arg)),
  ],
  ["jaeger", (p) => p.times.comm.startsWith("jaeger")],
];

let ticksPerSecond: number | undefined;
const clockTicks = () =>
  (ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()));

function runningProcesses(): RunningProcess[] {
  const processes: RunningProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const times = parseProcStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      const argv = () => {
        try {
          return readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        } catch {
          return [];
        }
      };
      processes.push({ times, argv });
    } catch {
      // Exited between the directory listing and the read.
    }
  }
  return processes;
}

/**
 * CPU seconds (user + system, from /proc) of the given processes by name, of the stack's processes by
 * group (see stackGroups), and of this process as `load_generator`.
 */
export function cpuSnapshot(services: Record<string, number | undefined>): CpuSnapshot {
  const processes = runningProcesses();
  const byPid = new Map(processes.map((p) => [p.times.pid, p]));
  const members = new Map<string, ProcessTimes[]>();
  for (const [name, pid] of Object.entries(services)) {
    const service = pid === undefined ? undefined : byPid.get(pid);
    if (service) members.set(name, [service.times]);
  }
  const servicePids = new Set(Object.values(services));
  for (const p of processes) {
    if (servicePids.has(p.times.pid)) continue;
    const group = stackGroups.find(([, matches]) => matches(p))?.[0];
    if (group) members.set(group, [...(members.get(group) ?? []), p.times]);
  }
  const snapshot: CpuSnapshot = new Map(
    [...members].map(([name, times]) => [name, groupTicks(times) / clockTicks()]),
  );
  const own = process.cpuUsage();
  snapshot.set("load_generator", (own.user + own.system) / 1e6);
  return snapshot;
}

/** CPU seconds the whole machine spent busy and idle so far, over all cores (/proc/stat's first line). */
export function machineCpu(): { busy: number; idle: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return {
    busy: (user + nice + system + irq + softirq + steal) / clockTicks(),
    idle: (idle + iowait) / clockTicks(),
  };
}

/** /proc/loadavg's 1, 5 and 15 minute load averages, as it prints them. */
export const loadAverage = (): string =>
  readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** CPU seconds each group used between two snapshots (groups present in both). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Map<string, number> {
  return new Map(
    [...after]
      .filter(([name]) => before.has(name))
      .map(([name, seconds]) => [name, seconds - before.get(name)!]),
  );
}

/** Process groups in the order they are reported. */
const reportedGroups = [
  "ingress",
  "status_projector",
  "conversation_projector",
  "ferretdb",
  "postgres",
  "kafka",
  "schema_registry",
  "jaeger",
  "load_generator",
];

/** CPU seconds per 1,000 deliveries by group (null: no such process found) and in total. */
export function cpuPerThousandDeliveries(
  cpuSeconds: Map<string, number>,
  deliveries: number,
): Record<string, number | null> {
  const perThousand = (seconds: number) => Number(((seconds * 1000) / deliveries).toFixed(3));
  const total = [...cpuSeconds.values()].reduce((sum, seconds) => sum + seconds, 0);
  return {
    ...Object.fromEntries(
      reportedGroups.map((group) => [
        group,
        cpuSeconds.has(group) ? perThousand(cpuSeconds.get(group)!) : null,
      ]),
    ),
    total: perThousand(total),
  };
}
