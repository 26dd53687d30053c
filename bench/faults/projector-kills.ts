import { metricTotal, scrapeMetrics } from "../projector-health";
import { processRuns } from "../stack-faults";
import { scenario, sleep, verdict } from "./fault-scenario";
import { projectorNames } from "./fault-run";

interface ProjectorKill {
  name: string;
  pid: number;
  /** The process was gone 2 s after kill -9. */
  gone: boolean;
}

export const projectorsKilled = scenario({
  id: 2,
  name: "projectors killed",
  checks: "each projector kill -9 under 2x load: its process gone, a new one caught up",
  load: { rateFactor: 2, warmUpMs: 3000 },
  async fault(run): Promise<ProjectorKill[]> {
    const kills: ProjectorKill[] = [];
    for (const name of projectorNames) {
      run.log(`scenario 2: kill -9 the ${name} projector`);
      const pid = run.services[name].child.pid!;
      const killed = await run.inject(`kill -9 the ${name} projector`, async () => {
        await run.services[name].kill();
        return true;
      });
      await sleep(2000);
      const gone = !processRuns(pid);
      kills.push({ name, pid, gone });
      if (killed) await run.start(name);
    }
    await sleep(3000);
    return kills;
  },
  async verify(run, kills) {
    // What the new processes met again: events their predecessors wrote but had not committed.
    const redelivered = await Promise.all(
      projectorNames.map(async (name) =>
        metricTotal(
          await scrapeMetrics(run.services[name].operationsUrl),
          "whatsapp_projector_duplicates_skipped_total",
        ),
      ),
    );
    const check = verdict([
      `duplicates skipped by the restarted processes (redelivered events and resent deliveries): ${projectorNames.map((name, i) => `${name} ${redelivered[i]}`).join(", ")}`,
    ]);
    for (const kill of kills)
      check.expect(
        kill.gone,
        `the ${kill.name} projector (pid ${kill.pid}) still ran after kill -9: the fault did not happen`,
      );
    return check;
  },
});
