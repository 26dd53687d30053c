import { execFileSync } from "node:child_process";
import path from "node:path";

const repositoryRoot = path.resolve(__dirname, "../..");

/**
 * Takes a part of the stack away and brings it back, whichever provider runs it: the native stack
 * stops (SIGTERM, then SIGKILL) and restarts the real process; under Docker the container is paused
 * and unpaused (its mapped ports must not change). A stack given through the environment cannot be
 * controlled, and the tests that need it say so.
 */
export function canControlStack(): boolean {
  return process.env.TEST_STACK_SOURCE === "native" || Boolean(process.env.TEST_KAFKA_CONTAINER_ID);
}

export function stopKafka(): void {
  if (process.env.TEST_STACK_SOURCE === "native") {
    execFileSync(path.join(repositoryRoot, "deploy/native/down.sh"), ["kafka"], { stdio: "inherit" });
  } else if (process.env.TEST_KAFKA_CONTAINER_ID) {
    execFileSync("docker", ["pause", process.env.TEST_KAFKA_CONTAINER_ID], { stdio: "inherit" });
  } else {
    throw new Error("this stack (given through the environment) cannot be stopped by the tests");
  }
}

export function startKafka(): void {
  if (process.env.TEST_STACK_SOURCE === "native") {
    execFileSync(path.join(repositoryRoot, "deploy/native/up.sh"), { stdio: "inherit" });
  } else if (process.env.TEST_KAFKA_CONTAINER_ID) {
    execFileSync("docker", ["unpause", process.env.TEST_KAFKA_CONTAINER_ID], { stdio: "inherit" });
  } else {
    throw new Error("this stack (given through the environment) cannot be started by the tests");
  }
}
