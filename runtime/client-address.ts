import { BlockList, isIP } from "node:net";
import type Koa from "koa";

/** The proxies whose X-Forwarded-* headers are believed: addresses or CIDR blocks (`10.0.0.0/8`). */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

const withoutIpv4Mapping = (address: string): string =>
  address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");

const isTrusted = (address: string, trusted: BlockList): boolean => {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
};

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then X-Forwarded-For read from
 * the right, skipping trusted proxies, so a client cannot name itself by sending the header.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: BlockList): string {
  let address = withoutIpv4Mapping(peer);
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((hop) => withoutIpv4Mapping(hop.trim()))
    .filter(Boolean);
  while (isTrusted(address, trusted) && hops.length > 0) address = hops.pop()!;
  return address;
}

const forwardedHeaders = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"];

/**
 * Sets ctx.ip from the peer and trusted proxies only; the forwarded headers of a peer that is not a
 * trusted proxy are dropped, so Koa's own proxy support (protocol, host) never reads them.
 */
export function clientAddressFromTrustedProxies(entries: readonly string[]): Koa.Middleware {
  const trusted = trustedProxyList(entries);
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? "";
    if (!isTrusted(withoutIpv4Mapping(peer), trusted))
      for (const header of forwardedHeaders) delete ctx.req.headers[header];
    ctx.request.ip = clientAddress(peer, ctx.get("x-forwarded-for") || undefined, trusted);
    await next();
  };
}
