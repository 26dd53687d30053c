import net from "node:net";

const loopback = ["127.0.0.1", "localhost"];

/**
 * In this process, new TCP connections to `from` (host:port) go to `to` instead, until the returned
 * function is called. Kafka clients connect to the broker's advertised address whatever their bootstrap
 * address, so a proxy in front of the broker sees an in-process service's every connection only this
 * way (tests/support/connection-redirect.ts applies it to a service run as a process).
 */
export function redirectConnections(from: string, to: string): () => void {
  const [fromHost, fromPort] = from.split(":");
  const [toHost, toPort] = to.split(":");
  const sameHost = (host: unknown) =>
    host === fromHost || (loopback.includes(String(host)) && loopback.includes(fromHost!));
  const connectDirectly = net.connect;
  net.connect = function connect(...args: unknown[]) {
    const options = args[0] as { host?: string; port?: number | string } | null;
    if (typeof options === "object" && options && sameHost(options.host) && String(options.port) === fromPort)
      args[0] = { ...options, host: toHost, port: Number(toPort) };
    return (connectDirectly as (...parameters: unknown[]) => net.Socket)(...args);
  } as typeof net.connect;
  return () => {
    net.connect = connectDirectly;
  };
}
