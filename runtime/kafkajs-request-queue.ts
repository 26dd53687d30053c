import RequestQueue from "kafkajs/src/network/requestQueue";

/** kafkajs's own delay between checks while requests wait behind a throttle that has just ended. */
const checkPendingRequestsIntervalMs = 10;

/**
 * kafkajs 2.2.4 schedules the next check of a broker connection's waiting requests even when none is
 * waiting and no throttle holds them, with a delay of `throttledUntil - now`, about -1.8e12 ms when never
 * throttled: Node 24 prints a three-line TimeoutNegativeWarning on stderr and runs the check again every
 * millisecond for as long as the connection lives (tulios/kafkajs issues 1751 and 1704). Here nothing is
 * scheduled then: a new request and every answer check the queue themselves; the rest is kafkajs's rule.
 */
function scheduleCheckPendingRequests(this: RequestQueue): void {
  if (this.throttleCheckTimeoutId) return;
  const throttledForMs = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && throttledForMs <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : checkPendingRequestsIntervalMs,
  );
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
