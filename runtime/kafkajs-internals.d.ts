// The one kafkajs internal the project reaches into (runtime/kafkajs-request-queue.ts): a broker
// connection's queue of requests, as kafkajs 2.2.4 writes it.
declare module "kafkajs/src/network/requestQueue" {
  interface RequestQueue {
    pending: unknown[];
    /** ms since the epoch until which the broker asked not to be sent to; -1 when never throttled. */
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
  }
  const RequestQueue: {
    prototype: RequestQueue;
    new (options: {
      maxInFlightRequests?: number;
      requestTimeout: number;
      enforceRequestTimeout?: boolean;
      clientId: string;
      broker: string;
      logger: { debug(...args: unknown[]): void; warn(...args: unknown[]): void };
    }): RequestQueue;
  };
  export = RequestQueue;
}
