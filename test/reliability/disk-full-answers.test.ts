import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol';
import type { DemoCredentials } from '../../server/cli/demo';
import { magpie } from '../support/cli-process';
import { restClient } from '../integration/rest/rest-fixture';
import { mountSmallFilesystem, smallFilesystemAvailability, type SmallFilesystem } from './support/small-filesystem';

const REPO_ROOT = join(import.meta.dirname, '../..');
const SERVER_BIN = join(REPO_ROOT, 'bin/magpie-server.js');

interface Started {
  readonly child: ChildProcess;
  readonly ports: Promise<{ port: number; httpPort: number }>;
  readonly exited: Promise<number | null>;
}

function startServer(data: string): Started {
  const child = spawn(process.execPath, [SERVER_BIN, 'start', '--port', '0', '--http-port', '0', '--data', data, '--demo', '--log-level', 'fatal'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = new Promise<{ port: number; httpPort: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const match = /"listening":\{[^}]*"port":(\d+),"httpPort":(\d+)/.exec(out);
      if (match) resolve({ port: Number(match[1]), httpPort: Number(match[2]) });
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
  return { child, ports, exited };
}

/**
 * What an app server and a CLI user are told while the server's disk is full: the REST API
 * answered 500 "the server failed" and the CLI only "no result within N s"; both now name
 * STORAGE_UNAVAILABLE, the code the gateway answers a client's SEND with.
 */
describe('a full data disk, as the REST API and the CLI tell it', () => {
  let fs: SmallFilesystem | undefined;
  let server: Started | undefined;
  let profiles: string | undefined;

  afterEach(async () => {
    if (profiles) rmSync(profiles, { recursive: true, force: true });
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    fs?.remove();
  });

  it('answers 503 STORAGE_UNAVAILABLE over REST and names it in the CLI send timeout', { timeout: 60_000 }, async () => {
    const availability = smallFilesystemAvailability();
    if (!availability.ok) {
      console.warn(`reliability: disk-full-answers NOT RUN: ${availability.reason}`);
      return;
    }
    fs = mountSmallFilesystem(8 * 1024 * 1024);
    const data = join(fs.path, 'data');
    server = startServer(data);
    const { port, httpPort } = await server.ports;
    const demo = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8')) as DemoCredentials;
    const rest = restClient(`http://127.0.0.1:${httpPort}`, demo.accountSid, demo.authToken);
    profiles = mkdtempSync(join(tmpdir(), 'magpie-disk-full-cli-'));
    const sendPath = `/v1/accounts/{sid}/apps/${demo.appId}/messages`;
    const cli = ['--server', `127.0.0.1:${port}`, '--app', demo.appId, '--token', demo.appToken, '--user', 'alice', '--profile', join(profiles, 'alice')];

    const before = await rest('POST', sendPath, { from: 'alice', to: 'bob', message: { type: 'text', text: 'before' } });
    expect(before.status).toBe(200);

    fs.fill();
    const full = await rest('POST', sendPath, { from: 'alice', to: 'bob', message: { type: 'text', text: '满'.repeat(4_000) } });
    expect(full.status).toBe(503);
    expect(full.json.error.code).toBe(ErrorCode.STORAGE_UNAVAILABLE);

    fs.fill();
    const run = await magpie([...cli, '--timeout', '3', 'send', '--to', 'bob', '--text', '满'.repeat(4_000)]);
    expect(run.code).toBe(3);
    const error = JSON.parse(run.stderr.trim().split('\n').at(-1)!) as { code: number; name: string; message: string };
    expect(error.code).toBe(ErrorCode.STORAGE_UNAVAILABLE);
    // the full disk may refuse the SEND, or already the login that precedes it: either way it is named
    expect(error.message).toMatch(/(the server answered STORAGE_UNAVAILABLE: |could not connect and log in: ).*storage unavailable.*they stay in the outbox/);
    expect(run.lines.at(-1)).toMatchObject({ state: 'sending' });

    // room again: the outbox sends it, and REST stores again
    fs.free();
    const flushed = await magpie([...cli, '--timeout', '10', 'outbox', 'flush']);
    expect(flushed.code).toBe(0);
    expect(flushed.lines.at(-1)).toMatchObject({ state: 'sent' });
    const after = await rest('POST', sendPath, { from: 'alice', to: 'bob', message: { type: 'text', text: 'after' } });
    expect(after.status).toBe(200);
  });
});
