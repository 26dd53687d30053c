import { cachedReadiness } from "./operations-endpoints";

describe("cachedReadiness", () => {
  it("checks the dependencies at most once per period, however many probes ask", async () => {
    let time = 0;
    let calls = 0;
    const ready = cachedReadiness(
      async () => ({ kafka: ++calls % 2 === 1 }),
      1000,
      () => time,
    );
    const first = await Promise.all([ready(), ready(), ready()]);
    expect(first).toEqual([{ kafka: true }, { kafka: true }, { kafka: true }]);
    time = 999;
    expect(await ready()).toEqual({ kafka: true });
    expect(calls).toBe(1);
    time = 1000;
    expect(await ready()).toEqual({ kafka: false });
    expect(calls).toBe(2);
  });

  it("does not keep a check that failed", async () => {
    let fail = true;
    const ready = cachedReadiness(
      async () => {
        if (fail) throw new Error("down");
        return { kafka: true };
      },
      1000,
      () => 0,
    );
    await expect(ready()).rejects.toThrow("down");
    fail = false;
    expect(await ready()).toEqual({ kafka: true });
  });
});
