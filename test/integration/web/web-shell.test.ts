import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../../../protocol';
import type { WebServerMessage } from '../../../preload/api';
import { createDispatch } from '../../../main/api/dispatch';
import { createWebShell, type WebShell } from '../../../main/web/web-shell';

function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

function openSocket(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { Origin: origin } });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
  });
}

function nextMessage(socket: WebSocket): Promise<WebServerMessage> {
  return new Promise((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as WebServerMessage)));
}

describe('the web shell', () => {
  let dir: string;
  let shell: WebShell;
  let base: string;
  let token: string;
  let port: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Magpie</title>');
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(tmpdir(), 'magpie-web-secret.txt'), 'secret');
    shell = createWebShell({
      rendererDir: dir,
      dispatch: createDispatch({ 'app.info': () => ({ name: 'Magpie', version: '0.0.0', shell: 'web' }) }, () => undefined),
      onError: () => undefined,
    });
    const started = await shell.start();
    port = started.port;
    base = `http://127.0.0.1:${port}`;
    token = new URL(started.url).searchParams.get('token')!;
  });

  afterEach(async () => {
    await shell.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('serves the page only with its token, under a strict CSP', async () => {
    expect((await get(`${base}/`)).status).toBe(403);
    expect((await get(`${base}/?token=wrong`)).status).toBe(403);
    // a tab left open from an earlier start (npm start or npm run web) is told why and what to open
    const refused = await get(`${base}/?token=wrong`);
    expect(refused.body).toBe(
      'This address is not valid (any more): each start of Magpie (npm start, npm run web) makes a new one. Open the address it printed, token included.\n',
    );
    const page = await get(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Magpie</title>');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(`${base}/assets/app.js`)).status).toBe(200);
  });

  it('serves nothing outside the renderer folder', async () => {
    expect((await get(`${base}/..%2fmagpie-web-secret.txt`)).status).toBe(404);
    expect((await get(`${base}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await get(`${base}/assets/%E0%A4%A`)).status).toBe(404);
  });

  it('refuses the API socket without the token or from another origin', async () => {
    await expect(openSocket(`ws://127.0.0.1:${port}/api`, base)).rejects.toThrow(/403/);
    await expect(openSocket(`ws://127.0.0.1:${port}/api?token=${token}`, 'http://evil.example')).rejects.toThrow(/403/);
  });

  it('carries calls and events of the contract over the socket', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${port}/api?token=${token}`, base);
    socket.send(JSON.stringify({ type: 'invoke', id: 1, method: 'app.info', args: {} }));
    expect(await nextMessage(socket)).toEqual({
      type: 'result',
      id: 1,
      result: { ok: true, value: { name: 'Magpie', version: '0.0.0', shell: 'web' } },
    });
    socket.send(JSON.stringify({ type: 'invoke', id: 2, method: 'no.such', args: {} }));
    const unknown = await nextMessage(socket);
    expect(unknown.type === 'result' && !unknown.result.ok && unknown.result.error.code).toBe(ErrorCode.UNKNOWN_METHOD);
    socket.send(JSON.stringify({ type: 'invoke', id: 3, method: 'app.info', args: { extra: 1 } }));
    const bad = await nextMessage(socket);
    expect(bad.type === 'result' && !bad.result.ok && bad.result.error.code).toBe(ErrorCode.BAD_ARGUMENT);
    const event = nextMessage(socket);
    shell.emit('typing', { conversation: 'bob', from: 'bob', stopped: false });
    expect(await event).toEqual({ type: 'event', event: 'typing', payload: { conversation: 'bob', from: 'bob', stopped: false } });
    socket.close();
  });

  it('closes a socket that sends what is not a call', async () => {
    const socket = await openSocket(`ws://127.0.0.1:${port}/api?token=${token}`, base);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('not json');
    expect(await closed).toBe(1003);
  });
});
