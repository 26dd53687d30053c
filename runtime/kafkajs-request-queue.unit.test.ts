import RequestQueue from "kafkajs/src/network/requestQueue";
import { version } from "kafkajs/package.json";
import "./kafkajs-request-queue";

const quietLogger = { debug: () => undefined, warn: () => undefined };
const newQueue = () =>
  new RequestQueue({ requestTimeout: 1000, clientId: "test", broker: "127.0.0.1:9092", logger: quietLogger });

afterEach(() => jest.useRealTimers());

it("is written for the kafkajs it patches", () => {
  // A new kafkajs may have fixed or moved the scheduling: read its RequestQueue again before changing this.
  expect(version).toBe("2.2.4");
});

it("schedules no check while no request waits and no throttle holds (no negative timeout)", () => {
  const queue = newQueue();
  queue.checkPendingRequests();
  queue.scheduleCheckPendingRequests();
  expect(queue.throttleCheckTimeoutId).toBeNull();
});

it("checks waiting requests as kafkajs does: when the throttle ends, or at once after it", () => {
  jest.useFakeTimers({ now: 1_000_000 });
  const queue = newQueue();
  const checks = jest.spyOn(queue, "checkPendingRequests").mockImplementation(() => undefined);
  queue.pending.push({});
  queue.throttledUntil = 1_000_250;
  queue.scheduleCheckPendingRequests();
  jest.advanceTimersByTime(249);
  expect(checks).not.toHaveBeenCalled();
  jest.advanceTimersByTime(1);
  expect(checks).toHaveBeenCalledTimes(1);

  queue.scheduleCheckPendingRequests();
  jest.advanceTimersByTime(10);
  expect(checks).toHaveBeenCalledTimes(2);
});
