import { DEFAULT_SERVER_LIMITS, type pb, type ServerLimits } from '../../protocol';

/**
 * The limits a LOGIN_RESULT tells, each field absent or 0 (a server older than the field) taken as
 * the default, so a client of any server checks against a figure.
 */
export function serverLimitsOf(limits: pb.ServerLimits | undefined): ServerLimits {
  const d = DEFAULT_SERVER_LIMITS;
  const or = (value: bigint | number | undefined, fallback: number): number => {
    const n = Number(value ?? 0);
    return n > 0 && Number.isSafeInteger(n) ? n : fallback;
  };
  return {
    revokeWindowMs: or(limits?.revokeWindowMs, d.revokeWindowMs),
    mediaBytes: {
      image: or(limits?.maxImageBytes, d.mediaBytes.image),
      voice: or(limits?.maxVoiceBytes, d.mediaBytes.voice),
      file: or(limits?.maxFileBytes, d.mediaBytes.file),
    },
    maxVoiceDurationMs: or(limits?.maxVoiceDurationMs, d.maxVoiceDurationMs),
  };
}
