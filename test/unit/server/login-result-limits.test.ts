import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, pb } from '../../../protocol';
import { loginLimits } from '../../../server/gateway/login-limits';
import { DEFAULT_TUNING, resolveTuning } from '../../../server/tuning';
import { serverLimitsOf } from '../../../main/client/server-limits';

const MiB = 1024 * 1024;

describe("LOGIN_RESULT's limits", () => {
  it("are the server's own tuning, not the defaults", () => {
    const tuning = resolveTuning({ revokeWindowMs: 5_000, maxImageBytes: 3 * MiB, maxVoiceBytes: 512 * 1024, maxFileBytes: MiB, maxVoiceDurationMs: 30_000 });
    // through the wire encoding, as a client reads them
    const result = fromBinary(pb.LoginResultSchema, toBinary(pb.LoginResultSchema, create(pb.LoginResultSchema, { limits: loginLimits(tuning) })));
    expect(result.limits).toMatchObject({ revokeWindowMs: 5_000n, maxImageBytes: BigInt(3 * MiB), maxVoiceBytes: 512n * 1024n, maxFileBytes: BigInt(MiB), maxVoiceDurationMs: 30_000 });
    expect(serverLimitsOf(result.limits)).toEqual({ revokeWindowMs: 5_000, mediaBytes: { image: 3 * MiB, voice: 512 * 1024, file: MiB }, maxVoiceDurationMs: 30_000 });
  });

  it('are the defaults a client assumes for a server that sends none, field by field', () => {
    expect(serverLimitsOf(create(pb.ServerLimitsSchema, loginLimits(DEFAULT_TUNING)))).toEqual(DEFAULT_SERVER_LIMITS);
    expect(serverLimitsOf(undefined)).toEqual(DEFAULT_SERVER_LIMITS);
    expect(serverLimitsOf(create(pb.ServerLimitsSchema, { maxFileBytes: BigInt(MiB) }))).toEqual({ ...DEFAULT_SERVER_LIMITS, mediaBytes: { ...DEFAULT_SERVER_LIMITS.mediaBytes, file: MiB } });
  });
});
