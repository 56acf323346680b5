import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../protocol';
import { createHeartbeatPolicy } from '../../../../main/engine/heartbeat-policy';
import { createEngineTuning } from '../../../../main/engine/tuning';

const tuning = createEngineTuning({
  minHeartbeatMs: 60_000,
  maxHeartbeatMs: 300_000,
  heartbeatStepMs: 30_000,
  successesBeforeGrowth: 3,
  failuresBeforeReset: 3,
  idleTimeoutMarginMs: 15_000,
  failedIntervalMemoryMs: 30 * 60_000,
});

function succeed(policy: ReturnType<typeof createHeartbeatPolicy>, times: number): void {
  for (let i = 0; i < times; i++) policy.onHeartbeatSuccess();
}

describe('heartbeat policy', () => {
  it('starts at the minimum and grows by a step after a run of successes', () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    expect(policy.nextIntervalMs()).toBe(60_000);
    succeed(policy, 2);
    expect(policy.currentIntervalMs).toBe(60_000);
    succeed(policy, 1);
    expect(policy.currentIntervalMs).toBe(90_000);
    succeed(policy, 3);
    expect(policy.nextIntervalMs()).toBe(120_000);
  });

  it("never grows past the server's idle timeout less the margin", () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    policy.onServerIdleTimeout(150_000);
    succeed(policy, 30);
    expect(policy.currentIntervalMs).toBe(135_000);
    expect(policy.snapshot()).toMatchObject({ maxIntervalMs: 135_000, stable: true });
  });

  it('follows a server whose idle timeout is below our minimum', () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    policy.onServerIdleTimeout(40_000);
    expect(policy.currentIntervalMs).toBe(25_000);
    succeed(policy, 10);
    expect(policy.currentIntervalMs).toBe(25_000);
  });

  it('falls back to the largest interval known to work and settles just below the failing one', () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    succeed(policy, 9); // 60 -> 90 -> 120 -> 150
    expect(policy.currentIntervalMs).toBe(150_000);
    succeed(policy, 3); // 150 worked three times: try 180
    expect(policy.currentIntervalMs).toBe(180_000);
    policy.onHeartbeatTimeout(); // the NAT drops idle mappings somewhere below 180 s
    expect(policy.currentIntervalMs).toBe(150_000);
    expect(policy.snapshot().failedCeilingMs).toBe(180_000);
    succeed(policy, 3); // halfway to the ceiling
    expect(policy.currentIntervalMs).toBe(165_000);
    policy.onHeartbeatTimeout();
    expect(policy.currentIntervalMs).toBe(150_000);
    succeed(policy, 3); // 7.5 s is still a quarter step: one more probe
    expect(policy.currentIntervalMs).toBe(157_500);
    policy.onHeartbeatTimeout();
    succeed(policy, 12);
    expect(policy.currentIntervalMs).toBe(150_000);
    expect(policy.snapshot()).toMatchObject({ stable: true, lastGoodIntervalMs: 150_000, failedCeilingMs: 157_500 });
  });

  it('grows past a failed value again once it has been forgotten', () => {
    const clock = new ManualClock();
    const policy = createHeartbeatPolicy({ tuning, clock });
    succeed(policy, 3);
    policy.onHeartbeatTimeout(); // 90 failed
    succeed(policy, 30);
    expect(policy.currentIntervalMs).toBe(82_500); // 60, then 75, then 82.5: below the failed 90
    clock.advance(30 * 60_000);
    succeed(policy, 3);
    expect(policy.currentIntervalMs).toBe(112_500);
  });

  it('resets to the minimum after repeated failures and forgets what it learned', () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    succeed(policy, 12);
    expect(policy.currentIntervalMs).toBe(180_000);
    policy.onHeartbeatTimeout();
    policy.onHeartbeatTimeout();
    expect(policy.currentIntervalMs).toBeGreaterThan(60_000);
    policy.onHeartbeatTimeout();
    expect(policy.snapshot()).toMatchObject({
      currentIntervalMs: 60_000,
      lastGoodIntervalMs: 0,
      failedCeilingMs: undefined,
      consecutiveFailures: 0,
    });
  });

  it('a success between failures breaks the run that would reset it', () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    succeed(policy, 12);
    policy.onHeartbeatTimeout();
    policy.onHeartbeatTimeout();
    policy.onHeartbeatSuccess();
    policy.onHeartbeatTimeout();
    expect(policy.currentIntervalMs).toBeGreaterThan(60_000);
  });

  it('starts over on a network change', () => {
    const policy = createHeartbeatPolicy({ tuning, clock: new ManualClock() });
    succeed(policy, 9);
    policy.onNetworkChange();
    expect(policy.currentIntervalMs).toBe(60_000);
  });
});
