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

const kafkaAnswers = (): boolean => {
  try {
    execFileSync("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/9092"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

export function stopKafka(): void {
  if (process.env.TEST_STACK_SOURCE === "native") {
    execFileSync(path.join(repositoryRoot, "deploy/native/down.sh"), ["kafka"], { stdio: "inherit" });
    // down.sh stops only what this checkout's stack started (its pid files).
    if (kafkaAnswers()) {
      throw new Error(
        "Kafka on 127.0.0.1:9092 still answers: it was started from another checkout (no .stack/run/kafka.pid " +
          "here), so this test cannot take it away. Run the tests from the checkout that ran `make up`, or `make down` there first.",
      );
    }
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
