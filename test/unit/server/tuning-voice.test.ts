import { describe, expect, it } from 'vitest';
import { MAX_VOICE_DURATION_MS } from '../../../protocol';
import { CONTENT_LIMITS } from '../../../server/chat/content-limits';
import { DEFAULT_TUNING, resolveTuning } from '../../../server/tuning';

describe('the longest voice message is one figure for a SEND and for the file service', () => {
  it('is 60 s in both by default', () => {
    expect(MAX_VOICE_DURATION_MS).toBe(60_000);
    expect(CONTENT_LIMITS.maxVoiceDurationMs).toBe(MAX_VOICE_DURATION_MS);
    expect(DEFAULT_TUNING.maxVoiceDurationMs).toBe(MAX_VOICE_DURATION_MS);
  });

  it('may be lowered by a config, never raised past what every SEND is held to', () => {
    expect(resolveTuning({ maxVoiceDurationMs: 30_000 }).maxVoiceDurationMs).toBe(30_000);
    expect(() => resolveTuning({ maxVoiceDurationMs: MAX_VOICE_DURATION_MS + 1 })).toThrow(/maxVoiceDurationMs is 60001; it may be 1 to 60000 ms/);
    expect(() => resolveTuning({ maxVoiceDurationMs: 0 })).toThrow(RangeError);
  });
});
