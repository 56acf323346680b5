import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING, resolveTuning } from '../../../server/tuning';

describe('the per-user upload limits a config may set', () => {
  it('leave room for every upload the server takes: the byte allowance is at least the largest per-kind limit', () => {
    expect(DEFAULT_TUNING.maxUploadBytesPerUser).toBeGreaterThanOrEqual(DEFAULT_TUNING.maxFileBytes);
    expect(resolveTuning({ maxFileBytes: 1024, maxImageBytes: 1024, maxVoiceBytes: 1024, maxUploadBytesPerUser: 1024 }).maxUploadBytesPerUser).toBe(1024);
    expect(() => resolveTuning({ maxUploadBytesPerUser: DEFAULT_TUNING.maxFileBytes - 1 })).toThrow(
      /maxUploadBytesPerUser is 104857599; it must be at least the largest upload a kind allows \(104857600 bytes\)/,
    );
    expect(() => resolveTuning({ maxFileBytes: 6 * 1024 ** 3 })).toThrow(RangeError);
  });

  it('allow at least one unfinished upload and a window of some length', () => {
    expect(() => resolveTuning({ maxUnfinishedUploadsPerUser: 0 })).toThrow(/maxUnfinishedUploadsPerUser is 0/);
    expect(() => resolveTuning({ uploadBytesWindowMs: 0 })).toThrow(/uploadBytesWindowMs is 0/);
  });
});
