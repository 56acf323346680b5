import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, ErrorCode } from '../../../protocol';
import type { MethodArgs, MethodName, MethodResult, Result } from '../../../preload/api';
import { createDispatch } from '../../../main/api/dispatch';
import type { MagpieCore } from '../../../main/core/magpie-core';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { loadRememberedLogin } from '../../../main/settings/settings-file';
import { openTestCore } from '../../support/test-core';
import { dropTestSchema } from '../../support/test-database';
import { startTestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

const MiB = 1024 * 1024;

/** The contract's calls as the page makes them: a refusal is an answer, not a throw. */
function caller(core: MagpieCore) {
  const dispatch = createDispatch(core.handlers, (error) => {
    throw error;
  });
  return <M extends MethodName>(method: M, args: MethodArgs<M>) => dispatch(method, args) as Promise<Result<MethodResult<M>>>;
}

describe("the desktop keeps the server's limits with the remembered login", () => {
  const fixture = createClientFixture();
  afterAll(() => fixture.cleanup());

  it('a restored session holds to the last figures the server told until its own login tells them again', async () => {
    const first = await startTestServer({ tuning: { maxFileBytes: MiB, revokeWindowMs: 5_000 } });
    let again: Awaited<ReturnType<typeof startTestServer>> | undefined;
    let firstUp = true;
    const profileDir = await fixture.profile();
    const rememberFile = join(profileDir, 'login.json');
    const remembered = () => loadRememberedLogin(rememberFile, createKeyFileSecretBox(join(profileDir, 'secret.key')));
    const told = { ...DEFAULT_SERVER_LIMITS, revokeWindowMs: 5_000, mediaBytes: { ...DEFAULT_SERVER_LIMITS.mediaBytes, file: MiB } };
    try {
      const before = openTestCore(profileDir);
      try {
        await before.handlers['session.login']({ servers: [`127.0.0.1:${first.port}`], appId: first.appId, auth: { type: 'appToken', user: 'ivan', token: first.appToken }, remember: true });
        expect(remembered()?.serverLimits).toEqual(told);
      } finally {
        await before.shutdown();
      }
      // the next start finds no server: the session restores from the store, offline
      await first.stop({ keepData: true });
      firstUp = false;

      const after = openTestCore(profileDir);
      const call = caller(after);
      try {
        expect(await call('session.restore', {})).toMatchObject({ ok: true, value: { userId: 'ivan', limits: told } });
        expect(after.handlers['session.connection']({})).not.toMatchObject({ state: 'online' });
        // a file the server would refuse is refused before it is stored, offline too
        const refused = await call('media.send', { conversation: 'judy', kind: 'file', name: 'notes.bin', bytes: Buffer.alloc(MiB + 1, 1).toString('base64') });
        expect(refused).toEqual({ ok: false, error: { code: ErrorCode.FILE_TOO_LARGE, message: `a file of ${MiB + 1} bytes: the server takes at most ${MiB} bytes` } });

        // the server comes back set to other figures: its login's replace the remembered ones, on disk too
        again = await startTestServer({ dataDir: first.dataDir, port: first.port, tuning: { maxFileBytes: 2 * MiB } });
        const now = { ...DEFAULT_SERVER_LIMITS, mediaBytes: { ...DEFAULT_SERVER_LIMITS.mediaBytes, file: 2 * MiB } };
        const connection = () => after.handlers['session.connection']({}) as { state: string; limits?: unknown };
        await eventually(() => connection().state === 'online', 15_000, () => JSON.stringify(connection()));
        expect(connection().limits).toEqual(now);
        await eventually(() => JSON.stringify(remembered()?.serverLimits) === JSON.stringify(now), 5_000, () => JSON.stringify(remembered()));
        // the rest of the remembered login stays as it was
        expect(remembered()).toMatchObject({ servers: [`127.0.0.1:${first.port}`], appId: first.appId, auth: { user: 'ivan' } });
      } finally {
        await after.shutdown();
      }
    } finally {
      if (firstUp) await first.stop();
      else if (again) await again.stop();
      else {
        // stopped with its data kept, and not started again
        dropTestSchema(first.dataDir);
        await rm(first.dataDir, { recursive: true, force: true, maxRetries: 5 });
      }
    }
  }, 40_000);
});
