import type { Projection } from "../../projector/framework/projection";
import { startProjector, type RunningProjector } from "../../projector/framework/projector-service";
import { readProjectorSettings } from "../../projector/framework/projector-settings";
import { createLogger } from "../../runtime/logger";

/** A projector's settings for a test: its own topic prefix and database, any free port, no logs. */
export const testProjectorSettings = (prefix: string, database: string, env: Record<string, string> = {}) =>
  readProjectorSettings(
    { port: 0 },
    { ...process.env, TOPIC_PREFIX: prefix, MONGODB_DB: database, PORT: "0", LOG_LEVEL: "silent", ...env },
  );

/** Projectors a test file starts in-process; `stopAll` in its afterAll. */
export class TestProjectors {
  private readonly started: RunningProjector[] = [];

  async start<E>(
    projection: Projection<E> | Projection<never>[],
    prefix: string,
    database: string,
    env: Record<string, string> = {},
  ): Promise<RunningProjector> {
    const projector = await startProjector(
      Array.isArray(projection) ? projection : [projection as Projection<never>],
      testProjectorSettings(prefix, database, env),
      createLogger("test", "silent"),
    );
    this.started.push(projector);
    return projector;
  }

  stopAll(): Promise<unknown> {
    return Promise.all(this.started.map((projector) => projector.stop()));
  }
}
