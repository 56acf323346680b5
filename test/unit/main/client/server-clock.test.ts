import { describe, expect, it } from 'vitest';
import { createServerClock } from '../../../../main/client/server-clock';

/** The server's clock as the client reckons it from its logins (docs/client.md, "Server time"). */
describe("the client's reckoning of the server's clock", () => {
  function at(startMs: number) {
    const local = { ms: startMs };
    return { local, clock: createServerClock({ now: () => local.ms }) };
  }

  it('is the local clock, and tells no reading, until a login told the server time', () => {
    const { local, clock } = at(1_000_000);
    expect(clock.now()).toBe(1_000_000);
    expect(clock.reading()).toBeUndefined();
    expect(clock.offsetMs).toBe(0);
    local.ms += 5;
    expect(clock.now()).toBe(1_000_005);
  });

  it("takes the server's time at the middle of the login's round trip: a local clock 3 minutes fast reads the server's", () => {
    const serverMs = 1_700_000_000_000;
    const skew = 3 * 60_000;
    // LOGIN out at local server+skew, answered 40 ms later; the server read its clock halfway
    const { local, clock } = at(serverMs + skew + 40);
    clock.observe({ sentMs: serverMs + skew, answeredMs: serverMs + skew + 40, serverTimeMs: serverMs + 20 });
    expect(clock.offsetMs).toBe(-skew);
    expect(clock.now()).toBe(serverMs + 40);
    expect(clock.reading()).toBe(serverMs + 40);
    // it runs on with the local clock
    local.ms += 60_000;
    expect(clock.now()).toBe(serverMs + 60_040);
  });

  it('is off by at most half the round trip, wherever in it the server read its clock', () => {
    const { clock } = at(10_000);
    // the server stamped its answer as it left (the gateway's way): the truth is offset 1_000 - 0
    clock.observe({ sentMs: 10_000, answeredMs: 10_200, serverTimeMs: 11_200 });
    expect(Math.abs(clock.offsetMs - 1_000)).toBeLessThanOrEqual(100);
  });

  it("the latest login wins: a local clock set meanwhile (slow now) moves the offset, a later login's sample replaces it", () => {
    const { local, clock } = at(50_000);
    clock.observe({ sentMs: 49_990, answeredMs: 50_000, serverTimeMs: 49_995 });
    expect(clock.offsetMs).toBe(0);
    // the computer's clock is set back 2 minutes; a reconnect logs in again
    local.ms = 50_000 + 10_000 - 120_000;
    clock.observe({ sentMs: local.ms - 10, answeredMs: local.ms, serverTimeMs: 60_000 - 5 });
    expect(clock.offsetMs).toBe(120_000);
    expect(clock.now()).toBe(60_000);
  });

  it('learns nothing from a server that tells no time (0) or a sample out of order', () => {
    const { clock } = at(5_000);
    clock.observe({ sentMs: 4_000, answeredMs: 5_000, serverTimeMs: 0 });
    clock.observe({ sentMs: 5_000, answeredMs: 4_000, serverTimeMs: 90_000 });
    expect(clock.reading()).toBeUndefined();
    expect(clock.now()).toBe(5_000);
  });
});
