import Koa from "koa";
import { serve } from "../tests/support/http-harness";
import { clientAddress, clientAddressFromTrustedProxies, trustedProxyList } from "./client-address";

describe("clientAddress", () => {
  const trusted = trustedProxyList(["10.0.0.1", "192.168.0.0/16", "::1"]);

  it("is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", undefined, trusted)).toBe("203.0.113.9");
  });

  it("reads X-Forwarded-For from the right through trusted proxies only", () => {
    expect(clientAddress("10.0.0.1", "198.51.100.1", trusted)).toBe("198.51.100.1");
    // The leftmost entry is the client's own claim: not believed past the first untrusted hop.
    expect(clientAddress("::ffff:10.0.0.1", "1.2.3.4, 198.51.100.1, 192.168.3.4", trusted)).toBe(
      "198.51.100.1",
    );
    expect(clientAddress("::1", undefined, trusted)).toBe("::1");
  });

  it("trusts nobody with an empty list", () => {
    expect(clientAddress("10.0.0.1", "198.51.100.1", trustedProxyList([]))).toBe("10.0.0.1");
  });
});

describe("clientAddressFromTrustedProxies", () => {
  const seen = async (trustedProxies: string[]) => {
    const app = new Koa();
    app.proxy = trustedProxies.length > 0;
    app.use(clientAddressFromTrustedProxies(trustedProxies));
    app.use((ctx) => {
      ctx.body = { ip: ctx.ip, protocol: ctx.protocol };
    });
    const server = await serve(app);
    try {
      const response = await fetch(server.url, {
        headers: { "x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "https" },
      });
      return (await response.json()) as { ip: string; protocol: string };
    } finally {
      await server.close();
    }
  };

  it("ignores the forwarded headers of a peer that is not a configured proxy", async () => {
    expect(await seen([])).toEqual({ ip: "127.0.0.1", protocol: "http" });
    expect(await seen(["10.0.0.1"])).toEqual({ ip: "127.0.0.1", protocol: "http" });
  });

  it("believes them from a configured proxy", async () => {
    expect(await seen(["127.0.0.1"])).toEqual({ ip: "198.51.100.1", protocol: "https" });
  });
});
