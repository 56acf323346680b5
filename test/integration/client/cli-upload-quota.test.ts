import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { startTestServer, type TestServer } from '../../support/test-server';

const MIB = 1024 * 1024;

describe('the magpie CLI past the user’s upload limits', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer({ tuning: { maxFileBytes: MIB, maxImageBytes: MIB, maxVoiceBytes: MIB, maxUploadBytesPerUser: MIB } });
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-quota-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints the message failed with UPLOAD_QUOTA_EXCEEDED and when the file fits again (exit 1), and does not retry it', async () => {
    await writeFile(join(root, 'a.bin'), randomBytes(600_000));
    await writeFile(join(root, 'b.bin'), randomBytes(600_000));
    const first = await magpie(as('alice', 'send', '--to', 'bob', '--file', join(root, 'a.bin')));
    expect(first.code, first.stderr).toBe(0);
    const refused = await magpie(as('alice', 'send', '--to', 'bob', '--file', join(root, 'b.bin')));
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.lines.at(-1)).toMatchObject({
      type: 'file',
      state: 'failed',
      code: ErrorCode.UPLOAD_QUOTA_EXCEEDED,
      message: expect.stringMatching(/this server takes at most 1048576 bytes per user in that time: this one \(600000 bytes\) fits again at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    // failed, not waiting: a flush does not send it again by itself
    const outbox = await magpie(as('alice', 'outbox'));
    expect(outbox.lines).toEqual([expect.objectContaining({ state: 'failed', code: ErrorCode.UPLOAD_QUOTA_EXCEEDED })]);
    // another user has an allowance of their own
    const bob = await magpie(as('bob', 'send', '--to', 'alice', '--file', join(root, 'b.bin')));
    expect(bob.code, bob.stderr).toBe(0);
  }, 60_000);
});
