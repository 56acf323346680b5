import { describe, expect, it } from 'vitest';
import { createWindowLossLog, WINDOW_LOSS_LOG_INTERVAL_MS } from '../../../server/storage/window-loss-log';

describe('the log of lost commit windows', () => {
  it('logs the first loss whole, then at most once a minute with how many were not logged', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    let nowMs = 1_000;
    const lost = createWindowLossLog({ error: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as never, () => nowMs);
    const diskFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    lost(diskFull, true);
    // a full disk loses a window about every second
    for (let i = 0; i < 59; i++) {
      nowMs += 1_000;
      lost(diskFull, i % 2 === 0);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({ fields: { err: diskFull }, message: 'a commit window was lost; its redo log was run again, nothing is lost' });
    nowMs = 1_000 + WINDOW_LOSS_LOG_INTERVAL_MS;
    lost(diskFull, false);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({
      fields: { err: diskFull, lostSinceLastLine: 59 },
      message: 'a commit window was lost and its redo log could not be run again yet; writes fail until it can',
    });
  });
});
