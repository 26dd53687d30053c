import net from "node:net";

/**
 * Preloaded into a service process (NODE_OPTIONS="--import tsx --import <this file>"): its connections
 * to TEST_REDIRECT_FROM (host:port) go to TEST_REDIRECT_TO instead. Kafka clients connect to the
 * broker's advertised address, whatever the bootstrap address was, so a proxy in front of one broker
 * needs this to see every connection of the process, and only of that process.
 */
const [fromHost, fromPort] = (process.env.TEST_REDIRECT_FROM ?? "").split(":");
const [toHost, toPort] = (process.env.TEST_REDIRECT_TO ?? "").split(":");
const sameHost = (host: unknown) =>
  host === fromHost ||
  (["127.0.0.1", "localhost"].includes(String(host)) && ["127.0.0.1", "localhost"].includes(fromHost!));
const connectDirectly = net.connect;

net.connect = function connect(...args: unknown[]) {
  const options = args[0] as { host?: string; port?: number | string } | null;
  if (typeof options === "object" && options && sameHost(options.host) && String(options.port) === fromPort)
    args[0] = { ...options, host: toHost, port: Number(toPort) };
  return (connectDirectly as (...parameters: unknown[]) => net.Socket)(...args);
} as typeof net.connect;
