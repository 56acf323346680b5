import type { MessageInitShape } from '@bufbuild/protobuf';
import type { pb } from '../../protocol';
import type { Tuning } from '../tuning';

export type LoginLimitsTuning = Pick<Tuning, 'revokeWindowMs' | 'maxImageBytes' | 'maxVoiceBytes' | 'maxFileBytes' | 'maxVoiceDurationMs'>;

/**
 * LOGIN_RESULT's limits: the figures of this server's tuning that a client checks before it offers
 * Revoke or sends a file, so a server tuned away from the defaults is not second-guessed with them.
 */
export function loginLimits(tuning: LoginLimitsTuning): MessageInitShape<typeof pb.ServerLimitsSchema> {
  return {
    revokeWindowMs: BigInt(tuning.revokeWindowMs),
    maxImageBytes: BigInt(tuning.maxImageBytes),
    maxVoiceBytes: BigInt(tuning.maxVoiceBytes),
    maxFileBytes: BigInt(tuning.maxFileBytes),
    maxVoiceDurationMs: tuning.maxVoiceDurationMs,
  };
}
