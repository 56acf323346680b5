import { describe, expect, it } from 'vitest';
import { createReconnectBackoff } from '../../../../main/engine/reconnect-backoff';
import { cliTuning, createEngineTuning } from '../../../../main/engine/tuning';

const tuning = createEngineTuning({ backoffBaseMs: 1_000, backoffMaxMs: 30_000, backoffJitterRatio: 0.5 });

describe('reconnect backoff', () => {
  it('doubles from the base up to the maximum when jitter takes nothing', () => {
    const backoff = createReconnectBackoff({ tuning, random: () => 0 });
    const delays = Array.from({ length: 8 }, () => backoff.nextDelayMs());
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoff.attempts).toBe(8);
  });

  it('a refusal for want of room waits the capacity delay, jittered, and later losses go on doubling', () => {
    const values = [0.5, 0];
    const backoff = createReconnectBackoff({ tuning, random: () => values.shift() ?? 0 });
    expect(backoff.nextCapacityDelayMs()).toBe(Math.round(300_000 * 0.75));
    expect(backoff.nextDelayMs()).toBe(2_000);
  });

  it('caps the delay at refusedBackoffMaxMs while nothing listens, and doubles as before once the server answered', () => {
    const cli = createEngineTuning({ ...cliTuning, backoffBaseMs: 200, backoffMaxMs: 30_000 });
    const backoff = createReconnectBackoff({ tuning: cli, random: () => 0 });
    const refused = Array.from({ length: 5 }, () => backoff.nextDelayMs('refused'));
    expect(refused).toEqual([200, 400, 800, 1_000, 1_000]);
    expect(backoff.nextDelayMs('other')).toBe(6_400);
    // the desktop keeps its long delays for a refusing port too
    const desktop = createReconnectBackoff({ tuning, random: () => 0 });
    expect(Array.from({ length: 4 }, () => desktop.nextDelayMs('refused'))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('jitter takes away up to its ratio, at random', () => {
    const values = [0.999, 0.5, 0.25];
    const backoff = createReconnectBackoff({ tuning, random: () => values.shift() ?? 0 });
    expect(backoff.nextDelayMs()).toBe(Math.round(1_000 * (1 - 0.999 * 0.5)));
    expect(backoff.nextDelayMs()).toBe(1_500);
    expect(backoff.nextDelayMs()).toBe(3_500);
  });

  it('every delay stays between half the step and the step, for any random number', () => {
    const backoff = createReconnectBackoff({ tuning, random: Math.random });
    for (let attempt = 0; attempt < 40; attempt++) {
      const cap = Math.min(30_000, 1_000 * 2 ** attempt);
      const delay = backoff.nextDelayMs();
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
    }
  });

  it('starts from the base again after a success or a network-up signal', () => {
    const backoff = createReconnectBackoff({ tuning, random: () => 0 });
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.onConnected();
    expect(backoff.nextDelayMs()).toBe(1_000);
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.onNetworkUp();
    expect(backoff.attempts).toBe(0);
    expect(backoff.nextDelayMs()).toBe(1_000);
  });
});

describe('engine tuning', () => {
  it('overrides the desktop defaults and refuses nonsense', () => {
    expect(createEngineTuning({ connectStaggerMs: 10 }).connectStaggerMs).toBe(10);
    expect(createEngineTuning().connectStaggerMs).toBe(2_500);
    expect(() => createEngineTuning({ minHeartbeatMs: 10_000, maxHeartbeatMs: 5_000 })).toThrow(/maxHeartbeatMs/);
    expect(() => createEngineTuning({ backoffBaseMs: Number.NaN })).toThrow(/backoffBaseMs/);
  });
});
