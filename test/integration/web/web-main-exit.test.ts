import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebServerMessage } from '../../../preload/api';
import { startTestServer, type TestServer } from '../../support/test-server';
import { runSource } from '../../support/run-source';

const root = resolve(import.meta.dirname, '../../..');

/** `npm run web` without the build step (the test run builds first), on a profile of its own. */
function startWebShell(profileDir: string): { child: ChildProcess; url: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...runSource(join(root, 'main/web/web-main.ts')), '--no-local-server', '--profile', profileDir], {
    cwd: root,
    env: { ...process.env, MAGPIE_LOG_LEVEL: 'silent', MAGPIE_NOTIFY_FILE: join(profileDir, 'notifications.jsonl') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (found) done(found[0]);
    });
    child.once('exit', (code) => fail(new Error(`the shell exited (${code}) before serving: ${output}`)));
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, url, exited };
}

async function connect(url: string): Promise<{ invoke(method: string, args: unknown): Promise<{ ok: boolean }>; close(): void }> {
  const page = new URL(url);
  const socket = new WebSocket(`ws://${page.host}/api?token=${page.searchParams.get('token')}`, { headers: { Origin: page.origin } });
  await new Promise((done, fail) => {
    socket.once('open', done);
    socket.once('error', fail);
  });
  let next = 1;
  const waiting = new Map<number, (result: { ok: boolean }) => void>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as WebServerMessage;
    if (message.type === 'result') waiting.get(message.id)?.(message.result as { ok: boolean });
  });
  return {
    invoke(method, args) {
      const id = next++;
      socket.send(JSON.stringify({ type: 'invoke', id, method, args }));
      return new Promise((done) => waiting.set(id, done));
    },
    close: () => socket.close(),
  };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([promise, new Promise<'timed out'>((done) => setTimeout(() => done('timed out'), ms))]);
}

describe('npm run web at Ctrl+C', () => {
  let server: TestServer | undefined;
  let child: ChildProcess | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await server?.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('exits, releasing the profile after its store, after failed sign-ins and with the server down', async () => {
    server = await startTestServer();
    const profileDir = mkdtempSync(join(tmpdir(), 'magpie-web-exit-'));
    dirs.push(profileDir);
    const shell = startWebShell(profileDir);
    child = shell.child;
    const page = await connect(await shell.url);
    const auth = { type: 'appToken', user: 'alice', token: server.appToken };
    expect((await page.invoke('session.login', { servers: ['not an address'], appId: server.appId, auth })).ok).toBe(false);
    expect((await page.invoke('session.login', { servers: [`127.0.0.1:${server.port}`], appId: 'deadbeef', auth })).ok).toBe(false);
    const unknown = { type: 'password', user: 'nobody', password: 'secret' };
    expect((await page.invoke('session.login', { servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth: unknown })).ok).toBe(false);
    expect((await page.invoke('session.login', { servers: [`127.0.0.1:${server.port}`], appId: server.appId, auth })).ok).toBe(true);
    await server.stop();
    server = undefined;
    page.close();
    expect(existsSync(join(profileDir, 'shell.lock'))).toBe(true);
    child.kill('SIGINT');
    expect(await within(shell.exited, 10_000)).toBe(0);
    expect(existsSync(join(profileDir, 'shell.lock'))).toBe(false);
  });
});
