import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { uploadFile } from '../../../main/files/uploader';
import { cliLoginArgs, magpie } from '../../support/cli-process';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { runSource } from '../../support/run-source';

/** A real WAV file: 16-bit mono PCM silence of `seconds` at `rate` samples a second. */
function wavOf(rate: number, seconds: number): Buffer {
  const data = rate * seconds * 2;
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data, 40);
  return Buffer.concat([head, Buffer.alloc(data)]);
}

const CHILD = join(import.meta.dirname, '../../support/media-upload-child.ts');

describe('the magpie CLI with files', () => {
  let server: TestServer;
  let root: string;
  const as = (user: string, ...more: string[]): string[] => [...cliLoginArgs(server, root, user), ...more];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-media-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('sends a file that the recipient lists and downloads with the same bytes', async () => {
    const bytes = randomBytes(300_000);
    await writeFile(join(root, 'report.bin'), bytes);
    const sent = await magpie(as('alice', 'send', '--to', 'bob', '--file', join(root, 'report.bin')));
    expect(sent.code).toBe(0);
    expect(sent.lines[0]).toMatchObject({ type: 'file', state: 'sent', media: { name: 'report.bin', size: 300_000, mime: 'application/octet-stream' } });
    expect(sent.stderr).toContain('"progress"');

    const history = await magpie(as('bob', 'history', '--with', 'alice'));
    const line = history.lines.at(-1)!;
    expect(line).toMatchObject({ type: 'file', media: { name: 'report.bin', size: 300_000 } });

    // not fetched before, with the server out of reach: said so, not 'no result within N s'
    const away = await magpie([
      ...as('bob', '--timeout', '3', 'download', String(line['id']), '--out', join(root, 'away')).map((a) =>
        a === `127.0.0.1:${server.port}` ? '127.0.0.1:1' : a,
      ),
    ]);
    expect(away.code).toBe(3);
    expect(JSON.parse(away.stderr.trim().split('\n').at(-1)!)).toMatchObject({
      code: ErrorCode.NOT_CONNECTED,
      message: expect.stringContaining('could not connect and log in'),
    });

    const got = await magpie(as('bob', 'download', String(line['id']), '--out', join(root, 'inbox')));
    expect(got.code).toBe(0);
    expect(got.lines[0]).toMatchObject({ path: join(root, 'inbox', 'report.bin'), size: 300_000 });
    expect(Buffer.compare(await readFile(join(root, 'inbox', 'report.bin')), bytes)).toBe(0);

    // fetched once, it is in bob's file cache: a second copy needs no server
    const offline = await magpie([...as('bob', 'download', String(line['id']), '--out', join(root, 'again')).map((a) => (a === `127.0.0.1:${server.port}` ? '127.0.0.1:1' : a))]);
    expect(offline.code).toBe(0);
    expect(Buffer.compare(await readFile(join(root, 'again', 'report.bin')), bytes)).toBe(0);

    const stranger = await magpie(as('eve', 'download', String(line['id']), '--out', join(root, 'eve')));
    expect(stranger.code).toBe(1);
  }, 60_000);

  it('download never overwrites another file of the same name, and refuses an --out that is a file', async () => {
    const bytes = randomBytes(5_000);
    await writeFile(join(root, 'notes.txt'), bytes);
    const sent = await magpie(as('alice', 'send', '--to', 'dave', '--file', join(root, 'notes.txt')));
    expect(sent.code).toBe(0);
    const id = String(sent.lines[0]!['id']);
    const dir = join(root, 'dave-downloads');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'the user\'s own notes');

    const got = await magpie(as('dave', 'download', id, '--out', dir));
    expect(got.code).toBe(0);
    expect(got.lines[0]).toMatchObject({ path: join(dir, 'notes (1).txt') });
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('the user\'s own notes');
    expect(Buffer.compare(await readFile(join(dir, 'notes (1).txt')), bytes)).toBe(0);

    // the same download again finds its own copy: no third file
    const again = await magpie(as('dave', 'download', id, '--out', dir));
    expect(again.lines[0]).toMatchObject({ path: join(dir, 'notes (1).txt') });
    expect((await readdir(dir)).sort()).toEqual(['notes (1).txt', 'notes.txt']);

    const intoFile = await magpie(as('dave', 'download', id, '--out', join(dir, 'notes.txt')));
    expect(intoFile.code).toBe(2);
    expect(JSON.parse(intoFile.stderr.trim().split('\n').at(-1)!)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: expect.stringContaining('not a folder') });
  }, 60_000);

  it('downloads a file whose name is longer than a folder takes (255 characters of Chinese) under a shorter name that keeps its extension', async () => {
    // a name of 255 UTF-16 units is what the server takes, and what a sender on another system can
    // have; as UTF-8 it is 3 bytes a character, and no Linux folder holds a name of over 255 bytes
    const sender = await TestClient.connect(server.port);
    await sender.hello();
    const login = await sender.loginWithAppToken(server.appId, server.appToken, 'alice');
    const bytes = Buffer.from('%PDF-1.4 a long report');
    await writeFile(join(root, 'long.pdf'), bytes);
    const longName = `${'报'.repeat(251)}.pdf`;
    const uploaded = await uploadFile({ baseUrl: `http://127.0.0.1:${server.httpPort}`, token: () => login.mediaToken!.token, path: join(root, 'long.pdf'), kind: 'file', name: longName });
    await sender.request('SEND', { clientMsgId: randomBytes(16), to: 'erin', type: pb.MessageType.FILE, media: { fileId: uploaded.fileId, size: BigInt(uploaded.size), mime: uploaded.mime } });
    sender.socket.destroy();

    const history = await magpie(as('erin', 'history', '--with', 'alice'));
    const line = history.lines.at(-1)!;
    expect(line).toMatchObject({ media: { name: longName } });
    const dir = join(root, 'erin-downloads');
    const got = await magpie(as('erin', 'download', String(line['id']), '--out', dir));
    expect(got.code, got.stderr).toBe(0);
    const [saved] = await readdir(dir);
    expect(saved).toMatch(/^报+\.pdf$/);
    expect(Buffer.byteLength(saved!)).toBeLessThanOrEqual(200);
    expect(got.lines[0]).toMatchObject({ path: join(dir, saved!), name: longName });
    expect(Buffer.compare(await readFile(join(dir, saved!)), bytes)).toBe(0);
  }, 30_000);

  it('download of a file whose message was revoked says it was revoked, for the recipient and the sender', async () => {
    await writeFile(join(root, 'draft.txt'), 'not for you after all');
    const sent = await magpie(as('alice', 'send', '--to', 'frank', '--file', join(root, 'draft.txt')));
    expect(sent.code, sent.stderr).toBe(0);
    const id = String(sent.lines[0]!['id']);
    expect((await magpie(as('alice', 'revoke', id))).code).toBe(0);
    for (const user of ['frank', 'alice']) {
      const got = await magpie(as(user, 'download', id, '--out', join(root, `${user}-revoked`)));
      expect(got.code).toBe(1);
      expect(JSON.parse(got.stderr.trim().split('\n').at(-1)!)).toMatchObject({
        code: ErrorCode.MESSAGE_NOT_FOUND,
        message: `message ${id} was revoked: its file can no longer be downloaded`,
      });
    }
  }, 30_000);

  it('sends a file whose name holds a line break under the name with "_", which the server takes', async () => {
    await writeFile(join(root, 'two\nlines.txt'), 'odd name');
    const sent = await magpie(as('alice', 'send', '--to', 'dave', '--file', join(root, 'two\nlines.txt')));
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.lines[0]).toMatchObject({ state: 'sent', media: { name: 'two_lines.txt' } });
  }, 30_000);

  it('sends an image with its sides; its media carries the fields docs/client.md lists, sha256 among them, and no other', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123' } }).png().toBuffer();
    await writeFile(join(root, 'pic.png'), png);
    const sent = await magpie(as('alice', 'send', '--to', 'bob', '--image', join(root, 'pic.png')));
    expect(sent.code).toBe(0);
    expect(sent.lines[0]).toMatchObject({ type: 'image', media: { mime: 'image/png' } });
    const listen = await magpie(as('bob', '--timeout', '2', 'history', '--with', 'alice'));
    const sha256 = createHash('sha256').update(png).digest('hex');
    for (const line of [sent.lines[0]!, listen.lines.at(-1)!]) {
      // exactly these: what the store keeps beside them (the server's thumbnail id) is no part of the line
      expect(line).toMatchObject({ type: 'image', media: { width: 64, height: 48, mime: 'image/png', sha256 } });
      expect(Object.keys(line['media'] as object).sort()).toEqual(['fileId', 'height', 'mime', 'name', 'sha256', 'size', 'width']);
    }
  }, 60_000);

  it('refuses an "image" that is none, or a "voice message" that is not audio, before storing or uploading it, and suggests --file', async () => {
    // online once, so what the outbox lists afterwards is what these runs left
    expect((await magpie(as('erin', 'send', '--to', 'bob', '--text', 'hello'))).code).toBe(0);
    const files = {
      'fake.png': randomBytes(2000),
      'notes.png': 'not a picture, whatever its name says',
      'paper.pdf': '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n',
      'drawing.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'song.txt': 'la la la',
      'still.png': await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer(),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes);
    for (const [flag, name, extra, what] of [
      ['--image', 'fake.png', [], 'not an image'],
      ['--image', 'notes.png', [], 'not an image'],
      ['--image', 'paper.pdf', [], 'not an image'],
      ['--image', 'drawing.svg', [], 'not an image'],
      ['--voice', 'song.txt', ['--duration', '3000'], 'not audio'],
      ['--voice', 'still.png', ['--duration', '3000'], 'not audio (its bytes are image/png)'],
    ] as const) {
      const path = join(root, name);
      const refused = await magpie(as('erin', 'send', '--to', 'bob', flag, path, ...extra));
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.lines).toEqual([]);
      expect(refused.stderr).not.toContain('"progress"');
      const error = JSON.parse(refused.stderr.trim().split('\n').at(-1)!) as { code: number; message: string };
      expect(error.code).toBe(ErrorCode.BAD_ARGUMENT);
      expect(error.message).toContain(`cannot send ${path}: it is ${what}`);
      expect(error.message).toContain(`send it as a file: --file ${path}`);
    }
    // nothing stored: no failed message waits in the outbox, and the same file goes as a file
    expect((await magpie(as('erin', 'outbox'))).lines).toEqual([]);
    const asFile = await magpie(as('erin', 'send', '--to', 'bob', '--file', join(root, 'paper.pdf')));
    expect(asFile.code, asFile.stderr).toBe(0);
    expect(asFile.lines).toMatchObject([{ type: 'file', state: 'sent', media: { mime: 'application/pdf' } }]);
  }, 60_000);

  it('sends a voice message whose bytes are audio', async () => {
    await writeFile(join(root, 'hello.wav'), wavOf(8000, 1));
    const sent = await magpie(as('alice', 'send', '--to', 'bob', '--voice', join(root, 'hello.wav'), '--duration', '1000'));
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.lines).toMatchObject([{ type: 'voice', state: 'sent', media: { mime: 'audio/wav', durationMs: 1000 } }]);
  }, 60_000);

  it('outbox flush resumes an upload a killed run left half done, and sends its message', async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    await writeFile(join(root, 'half.bin'), bytes);
    // a client on carol's CLI profile dies at 40% of the upload
    const args = { port: server.port, appId: server.appId, appToken: server.appToken, user: 'carol', profileDir: join(root, 'carol'), to: 'bob', files: [join(root, 'half.bin')], killAt: 0.4 };
    const child = spawn(process.execPath, [...runSource(CHILD), JSON.stringify(args)], { stdio: 'ignore' });
    expect(await new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)))).toBe('SIGKILL');

    const waiting = await magpie(as('carol', 'outbox'));
    expect(waiting.lines).toMatchObject([{ type: 'file', state: 'sending' }]);
    const flushed = await magpie(as('carol', 'outbox', 'flush'));
    expect(flushed.code).toBe(0);
    expect(flushed.lines).toMatchObject([{ type: 'file', state: 'sent', media: { name: 'half.bin', size: bytes.length } }]);
  }, 60_000);

  it('refuses a path that is no readable file, or an empty one, as a bad argument, before connecting', async () => {
    await writeFile(join(root, 'empty.png'), '');
    for (const [flag, path] of [['--file', join(root, 'missing.bin')], ['--file', root], ['--image', join(root, 'empty.png')]] as const) {
      const refused = await magpie(as('alice', 'send', '--to', 'bob', flag, path));
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.stderr.trim().split('\n').at(-1)!)).toMatchObject({ code: ErrorCode.BAD_ARGUMENT, message: expect.stringContaining(path) });
    }
  }, 30_000);

  it('says of a file whose name is not UTF-8 that its name is the trouble, not that it is missing', async () => {
    // a name in Latin-1, as an old archive may hold: "r\xe9sum\xe9.txt"
    const dirBytes = Buffer.from(root);
    const name = Buffer.concat([dirBytes, Buffer.from('/r'), Buffer.from([0xe9]), Buffer.from('sum'), Buffer.from([0xe9]), Buffer.from('.txt')]);
    await writeFile(name, 'cv');
    // what the command line hands a Node program for those bytes
    const asArgument = join(root, 'r\uFFFDsum\uFFFD.txt');
    const refused = await magpie(as('alice', 'send', '--to', 'bob', '--file', asArgument));
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stderr.trim().split('\n').at(-1)!)).toMatchObject({
      code: ErrorCode.BAD_ARGUMENT,
      message: expect.stringContaining('not UTF-8'),
    });
  }, 30_000);
});
