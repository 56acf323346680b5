import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { magpie, startMagpie, withFlag } from '../../support/cli-process';
import { deadAddress } from '../../support/dead-address';
import { makeSelfSignedCert } from '../../support/self-signed-cert';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('the magpie CLI, end to end', () => {
  let server: TestServer;
  let root: string;
  let live: string;
  let dead: string;
  const as = (user: string, ...more: string[]): string[] => [
    '--server', live, '--app', server.appId, '--token', server.appToken, '--user', user, '--profile', join(root, user), ...more,
  ];

  beforeAll(async () => {
    server = await startTestServer();
    root = await mkdtemp(join(tmpdir(), 'magpie-cli-client-'));
    live = `127.0.0.1:${server.port}`;
    dead = await deadAddress();
  });
  afterAll(async () => {
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('MAGPIE_LOG_LEVEL=debug prints each connection attempt and why it failed, as JSON lines on stderr', { timeout: 60_000 }, async () => {
    const args = ['--server', dead, '--app', server.appId, '--token', server.appToken, '--user', 'dbg', '--profile', join(root, 'dbg')];
    const run = await magpie([...args, 'send', '--to', 'bob', '--text', 'hi', '--timeout', '2'], '', { MAGPIE_LOG_LEVEL: 'debug' });
    expect(run.code).toBe(3);
    const logged = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as { msg: string; state: string; reason?: string });
    expect(logged.map((line) => line.msg)).toContain('connection connecting');
    const failed = logged.find((line) => line.state === 'reconnecting');
    expect(failed?.reason).toContain(dead);
  });

  it('takes the app token from the environment or from stdin, never needing it in the arguments (ps)', { timeout: 60_000 }, async () => {
    const noSecret = ['--server', live, '--app', server.appId, '--user', 'ivy', '--profile', join(root, 'ivy')];
    const byEnv = await magpie([...noSecret, 'send', '--to', 'jack', '--text', 'env'], '', { MAGPIE_TOKEN: server.appToken });
    expect(byEnv.stderr).toBe('');
    expect(byEnv.code).toBe(0);
    expect(byEnv.lines).toEqual([expect.objectContaining({ text: 'env', state: 'sent' })]);
    const byStdin = await magpie([...noSecret, '--token-file', '-', 'send', '--to', 'jack', '--text', 'stdin'], `${server.appToken}\n`);
    expect(byStdin.stderr).toBe('');
    expect(byStdin.lines).toEqual([expect.objectContaining({ text: 'stdin', state: 'sent' })]);
    const help = await magpie(['--help']);
    expect(help.stdout).toMatch(/--token-file F, --password-file F/);
    expect(help.stdout).toMatch(/MAGPIE_TOKEN or MAGPIE_PASSWORD/);
  });

  it('reports a damaged local store as such (171007, exit 5) with how to recover, and a fresh profile resyncs', { timeout: 60_000 }, async () => {
    const sent = await magpie([...as('kim'), 'send', '--to', 'lee', '--text', 'kept by the server']);
    expect(sent.code).toBe(0);
    const profile = join(root, 'kim');
    const file = join(profile, server.appId, 'kim', 'magpie.db');
    await rm(`${file}-wal`, { force: true });
    await rm(`${file}-shm`, { force: true });
    await writeFile(file, 'this is no longer a SQLite database '.repeat(200));
    const broken = await magpie([...as('kim'), 'history', '--with', 'lee']);
    expect(broken.code).toBe(5);
    const error = JSON.parse(broken.stderr.trim()) as { code: number; name: string; message: string };
    expect(error).toMatchObject({ code: ErrorCode.LOCAL_STORE_CORRUPT, name: 'LOCAL_STORE_CORRUPT' });
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/server keeps every message.*--profile/);
    // the recovery it describes: a fresh profile gets the history back from the server
    const fresh = await magpie(['--server', live, '--app', server.appId, '--token', server.appToken, '--user', 'kim', '--profile', join(root, 'kim-new'), 'history', '--with', 'lee']);
    expect(fresh.code).toBe(0);
    expect(fresh.lines).toEqual([expect.objectContaining({ text: 'kept by the server' })]);
  });

  it('sends and listens between two users, one message per stdin line, in order', { timeout: 60_000 }, async () => {
    const listening = magpie([...as('bob'), 'listen', '--count', '3', '--timeout', '45']);
    const one = await magpie([...as('alice'), 'send', '--to', 'bob', '--text', 'hello 你好']);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.lines).toEqual([
      expect.objectContaining({ conversation: 'bob', from: 'alice', to: 'bob', type: 'text', text: 'hello 你好', state: 'sent' }),
    ]);
    expect(one.lines[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), seq: expect.any(Number), time: expect.any(Number) });

    const many = await magpie([...as('alice'), 'send', '--to', 'bob', '--stdin'], 'line one\nline two\n');
    expect(many.code).toBe(0);
    expect(many.lines.map((l) => [l['text'], l['state']])).toEqual([['line one', 'sent'], ['line two', 'sent']]);

    const heard = await listening;
    expect(heard.code).toBe(0);
    expect(heard.lines.map((l) => l['text'])).toEqual(['hello 你好', 'line one', 'line two']);
    expect(heard.lines.map((l) => l['id'])).toEqual([...one.lines, ...many.lines].map((l) => l['id']));
    expect(heard.lines[0]).toMatchObject({ conversation: 'alice', from: 'alice', to: 'bob', state: 'received' });

    // offline: the dead address proves no connection is needed
    const [history, found] = await Promise.all([
      magpie([...withFlag(as('bob'), '--server', dead), 'history', '--with', 'alice', '--offline']),
      magpie([...withFlag(as('bob'), '--server', dead), 'search', '你好']),
    ]);
    expect(history.code).toBe(0);
    expect(history.lines.map((l) => l['text'])).toEqual(['hello 你好', 'line one', 'line two']);
    expect(found.lines.map((l) => l['text'])).toEqual(['hello 你好']);
  });

  it('sends a custom message (command and JSON payload) that the other side hears as such', { timeout: 60_000 }, async () => {
    const listening = magpie([...as('kate'), 'listen', '--count', '1', '--timeout', '45']);
    const sent = await magpie([...as('liam'), 'send', '--to', 'kate', '--custom', 'order.paid', '--payload', '{"order":7,"名":"茶"}']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.lines).toEqual([expect.objectContaining({ type: 'custom', state: 'sent', custom: { command: 'order.paid', payload: '{"order":7,"名":"茶"}' } })]);
    const heard = await listening;
    expect(heard.code).toBe(0);
    expect(heard.lines).toEqual([expect.objectContaining({ from: 'liam', type: 'custom', custom: { command: 'order.paid', payload: '{"order":7,"名":"茶"}' } })]);
  });

  it('sends a transient custom message to whoever listens now, storing it nowhere', { timeout: 60_000 }, async () => {
    const listening = startMagpie([...as('tina'), 'listen', '--count', '2', '--timeout', '45']);
    // tina is online once a stored message reaches her listen
    await magpie([...as('ugo'), 'send', '--to', 'tina', '--text', 'are you there?']);
    await listening.lineWhere((line) => line['text'] === 'are you there?');
    const sent = await magpie([...as('ugo'), 'send', '--to', 'tina', '--custom', 'typing', '--payload', '{"on":true}', '--transient']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.lines).toEqual([expect.objectContaining({ to: 'tina', type: 'custom', state: 'sent', seq: null, custom: { command: 'typing', payload: '{"on":true}' } })]);
    const heard = await listening.done;
    expect(heard.code).toBe(0);
    expect(heard.lines.at(-1)).toMatchObject({ from: 'ugo', type: 'custom', custom: { command: 'typing', payload: '{"on":true}' } });
    // nothing of it was kept: not in the sender's history, nor in its outbox
    const history = await magpie([...as('ugo'), 'history', '--with', 'tina']);
    expect(history.lines.map((line) => line['type'])).toEqual(['text']);
    expect((await magpie([...as('ugo'), 'outbox'])).lines).toEqual([]);
  });

  it('exits 2 on bad arguments, 4 when the login is refused, 3 when nothing comes in time', { timeout: 60_000 }, async () => {
    const [noTarget, unknown, help, wrongPassword, quiet] = await Promise.all([
      magpie([...as('alice'), 'send', '--text', 'to nobody']),
      magpie([...as('alice'), 'fly']),
      magpie(['send', '--help']),
      magpie(['--server', live, '--app', server.appId, '--user', server.createUser('carol').voipAccount, '--password', 'wrong', '--profile', join(root, 'carol'), 'listen']),
      magpie([...as('dave'), 'listen', '--count', '1', '--timeout', '2']),
    ]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('give either --to USER or --group GID');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: fly');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: magpie [global flags] send (--to USER | --group GID) (--text T | --stdin | --custom CMD');
    expect(wrongPassword.code).toBe(4);
    expect(JSON.parse(wrongPassword.stderr)).toMatchObject({ code: ErrorCode.WRONG_PASSWORD, name: 'WRONG_PASSWORD' });
    expect(quiet.code).toBe(3);
    // nothing arrived in time (or, on a very busy machine, not even the login did)
    expect([ErrorCode.REQUEST_TIMEOUT, ErrorCode.NOT_CONNECTED]).toContain((JSON.parse(quiet.stderr) as { code: number }).code);
  });

  it('fails the message of a send whose login is refused: run again with the right password, it goes once', { timeout: 60_000 }, async () => {
    const grace = server.createUser('grace');
    const gracePlease = (password: string, ...more: string[]) => [
      '--server', live, '--app', server.appId, '--user', grace.voipAccount, '--password', password, '--profile', join(root, 'grace'), ...more,
    ];
    const refused = await magpie(gracePlease('wrong', 'send', '--to', 'heidi', '--text', 'only once'));
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr)).toMatchObject({ code: ErrorCode.WRONG_PASSWORD });
    expect(refused.lines).toEqual([expect.objectContaining({ text: 'only once', state: 'failed', code: ErrorCode.WRONG_PASSWORD })]);
    // listed as failed, and never sent by a later run
    const listed = await magpie(gracePlease('wrong', 'outbox'));
    expect(listed.lines).toEqual([expect.objectContaining({ id: refused.lines[0]!['id'], state: 'failed', code: ErrorCode.WRONG_PASSWORD })]);
    const right = await magpie(gracePlease(grace.voipPwd, 'send', '--to', 'heidi', '--text', 'only once'));
    expect(right.code).toBe(0);
    const heidi = await magpie([...as('heidi'), 'history', '--with', grace.voipAccount]);
    expect(heidi.lines.map((line) => line['id'])).toEqual([right.lines[0]!['id']]);
  });

  it('fails at once (exit 4) on a port of the other transport, with the address to write, not at its deadline', { timeout: 90_000 }, async () => {
    const cert = makeSelfSignedCert(root, ['127.0.0.1'], 'transport');
    const tlsServer = await startTestServer({ tls: cert });
    try {
      const user = tlsServer.createUser('tess');
      const on = (address: string, ...more: string[]) => [
        '--server', address, '--app', tlsServer.appId, '--user', user.voipAccount, '--password', user.voipPwd, '--ca', cert.certFile,
        '--profile', join(root, 'tess'), '--timeout', '30', ...more,
      ];
      const plainOnTls = `127.0.0.1:${tlsServer.tlsPort}`;
      const tlsOnPlain = `127.0.0.1:${tlsServer.port}`;
      const started = Date.now();
      const [toTls, toPlain] = await Promise.all([
        magpie(on(plainOnTls, 'send', '--to', 'uma', '--text', 'over the wrong port')),
        magpie(on(`tls://${tlsOnPlain}`, 'listen', '--count', '1')),
      ]);
      // the deadline is 30 s: both knew within a few
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(toTls.code).toBe(4);
      expect(JSON.parse(toTls.stderr)).toMatchObject({ code: ErrorCode.TLS_REQUIRED, name: 'TLS_REQUIRED', message: expect.stringContaining(`tls://${plainOnTls}`) });
      expect(toPlain.code).toBe(4);
      expect(JSON.parse(toPlain.stderr)).toMatchObject({ code: ErrorCode.TLS_UNAVAILABLE, name: 'TLS_UNAVAILABLE', message: expect.stringContaining(`tcp://${tlsOnPlain}`) });
      // the command failed, and so did its message: sent again the right way, it goes once
      expect(toTls.lines).toEqual([expect.objectContaining({ text: 'over the wrong port', state: 'failed', code: ErrorCode.TLS_REQUIRED })]);
      const right = await magpie(on(`tls://${plainOnTls}`, 'send', '--to', 'uma', '--text', 'over the wrong port'));
      expect(right.code).toBe(0);
      expect(right.lines).toEqual([expect.objectContaining({ text: 'over the wrong port', state: 'sent' })]);
      const flushed = await magpie(on(`tls://${plainOnTls}`, 'outbox', 'flush'));
      expect(flushed.code).toBe(0);
      expect(flushed.lines).toEqual([]);
      // the HTTP port, a likely slip (8885 for 8883): said so, at once, exit 4
      const onHttp = await magpie(on(`127.0.0.1:${tlsServer.httpPort}`, 'listen', '--count', '1'));
      expect(onHttp.code).toBe(4);
      expect(JSON.parse(onHttp.stderr)).toMatchObject({ code: ErrorCode.NOT_MAGPIE_PORT, name: 'NOT_MAGPIE_PORT', message: expect.stringContaining('answers HTTP') });
    } finally {
      await tlsServer.stop();
    }
  });

  it('keeps a message sent while the server is down in the outbox, and outbox flush sends it', { timeout: 60_000 }, async () => {
    const down = await magpie([...withFlag(as('erin'), '--server', dead), '--timeout', '1', 'send', '--to', 'frank', '--text', 'when you are back']);
    expect(down.code).toBe(3);
    expect(down.lines).toEqual([expect.objectContaining({ text: 'when you are back', state: 'sending' })]);
    expect(JSON.parse(down.stderr)).toMatchObject({ code: expect.any(Number), message: expect.stringContaining('outbox') });

    const waiting = await magpie([...as('erin'), 'outbox']);
    expect(waiting.lines).toEqual([expect.objectContaining({ id: down.lines[0]!['id'], state: 'sending', attempts: expect.any(Number) })]);

    const flushed = await magpie([...as('erin'), 'outbox', 'flush']);
    expect(flushed.code).toBe(0);
    expect(flushed.lines).toEqual([expect.objectContaining({ text: 'when you are back', state: 'sent', clientId: down.lines[0]!['id'] })]);
    const [emptied, frank] = await Promise.all([magpie([...as('erin'), 'outbox']), magpie([...as('frank'), 'history', '--with', 'erin'])]);
    expect(emptied.lines).toEqual([]);
    expect(frank.lines.map((l) => [l['text'], l['id']])).toEqual([['when you are back', flushed.lines[0]!['id']]]);
  });

  it('says why send could not connect (the address and its error), as history does, and keeps the message queued (exit 3)', { timeout: 60_000 }, async () => {
    const httpPort = `127.0.0.1:${server.httpPort}`;
    const [refused, notMagpie] = await Promise.all([
      magpie([...withFlag(as('nina'), '--server', dead), '--timeout', '2', 'send', '--to', 'hal', '--text', 'nobody listens']),
      magpie([...withFlag(as('nina'), '--server', httpPort), '--timeout', '3', 'send', '--to', 'hal', '--text', 'an HTTP port']),
    ]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.lines).toEqual([expect.objectContaining({ text: 'nobody listens', state: 'sending' })]);
    const error = JSON.parse(refused.stderr) as { code: number; message: string };
    expect(error.code).toBe(ErrorCode.NOT_CONNECTED);
    expect(error.message).toContain(`could not connect and log in: no server address could be reached (${dead}: `);
    expect(error.message).toContain('they stay in the outbox');
    expect(error.message).toContain('ECONNREFUSED');
    // the HTTP port is a wrong address, not an outage: said at once (exit 4), the message failed with it
    expect(notMagpie.code, notMagpie.stderr).toBe(4);
    expect(JSON.parse(notMagpie.stderr)).toMatchObject({ code: ErrorCode.NOT_MAGPIE_PORT, message: expect.stringContaining(`${httpPort} answers HTTP`) });
    expect(notMagpie.lines).toEqual([expect.objectContaining({ text: 'an HTTP port', state: 'failed', code: ErrorCode.NOT_MAGPIE_PORT })]);
    const queued = await magpie([...as('nina'), 'outbox']);
    expect(queued.lines.map((line) => [line['text'], line['state']])).toEqual(
      expect.arrayContaining([['nobody listens', 'sending'], ['an HTTP port', 'failed']]),
    );
  });

  it('refuses a number past what the wire or a timer holds as a bad argument (exit 2), not an internal error', { timeout: 60_000 }, async () => {
    const created = await magpie([...as('olga'), 'group', 'create', '--name', 'numbers', '--members', 'pete']);
    const groupId = created.lines[0]!['groupId'] as string;
    await writeFile(join(root, 'v.wav'), Buffer.from('RIFF$\0\0\0WAVEfmt ', 'latin1'));
    const runs = await Promise.all([
      magpie([...as('olga'), 'group', 'mute', '--group', groupId, '--member', 'pete', '--seconds', '4294967296']),
      magpie([...as('olga'), 'group', 'members', '--group', groupId, '--limit', '99999999999']),
      magpie([...as('olga'), 'send', '--to', 'pete', '--voice', join(root, 'v.wav'), '--duration', '99999999999']),
      magpie([...as('olga'), '--timeout', '99999999999', 'send', '--to', 'pete', '--text', 'late']),
    ]);
    for (const [run, flag] of runs.map((r, i) => [r, ['--seconds', '--limit', '--duration', '--timeout'][i]!] as const)) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${flag} must be a`);
      expect(run.stderr).not.toContain('INTERNAL');
    }
    // within the wire's range, the server's own rule answers
    const tooLong = await magpie([...as('olga'), 'group', 'mute', '--group', groupId, '--member', 'pete', '--seconds', '4294967295']);
    expect(tooLong.code).toBe(1);
    expect(JSON.parse(tooLong.stderr)).toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT, message: expect.stringContaining('at most') });
  });

  it('renames a group: members see the new name and a modify notice; a plain member may not', { timeout: 60_000 }, async () => {
    const created = await magpie([...as('rita'), 'group', 'create', '--name', 'old name', '--members', 'sam']);
    const groupId = created.lines[0]!['groupId'] as string;
    const renamed = await magpie([...as('rita'), 'group', 'modify', '--group', groupId, '--name', '新名字 🐦', '--announcement', 'read me']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.lines[0]).toMatchObject({ groupId, name: '新名字 🐦', announcement: 'read me' });

    const [mine, history, refused] = await Promise.all([
      magpie([...as('sam'), 'group', 'list']),
      magpie([...as('sam'), 'history', '--group', groupId]),
      magpie([...as('sam'), 'group', 'modify', '--group', groupId, '--name', 'mine now']),
    ]);
    expect(mine.lines.find((g) => g['groupId'] === groupId)).toMatchObject({ name: '新名字 🐦' });
    expect(history.lines.map((l) => l['notice'])).toContain('modify');
    // the notice line says what changed, each with its new value
    expect(history.lines.find((l) => l['notice'] === 'modify')).toMatchObject({ changes: { name: '新名字 🐦', announcement: 'read me' } });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ code: ErrorCode.NOT_GROUP_ADMIN });
    const nothing = await magpie([...as('rita'), 'group', 'modify', '--group', groupId]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('give --name, --announcement or --mode');
  });

  it('@mentions a member or everyone in a group: the member hears it mentions them; a plain member may not @all', { timeout: 90_000 }, async () => {
    const created = await magpie([...as('alice'), 'group', 'create', '--name', 'mentions', '--members', 'bob,pia']);
    expect(created.code, created.stderr).toBe(0);
    const groupId = created.lines[0]!['groupId'] as string;
    // bob's listen may print the group's create notice first (his earlier listen did not print it)
    const listening = startMagpie([...as('bob'), 'listen', '--timeout', '45']);

    const one = await magpie([...as('alice'), 'send', '--group', groupId, '--text', '@bob please look', '--mention', 'bob']);
    expect(one.stderr).toBe('');
    expect(one.code).toBe(0);
    expect(one.lines).toEqual([expect.objectContaining({ conversation: groupId, text: '@bob please look', state: 'sent', mentions: ['bob'] })]);
    expect(one.lines[0]).not.toHaveProperty('mentionAll');
    const all = await magpie([...as('alice'), 'send', '--group', groupId, '--text', '@all meeting at 3', '--mention-all']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.lines).toEqual([expect.objectContaining({ text: '@all meeting at 3', state: 'sent', mentionAll: true })]);

    await listening.lineWhere((line) => line['text'] === '@all meeting at 3', 45_000);
    listening.child.kill('SIGTERM');
    const heard = await listening.done;
    expect(heard.code, heard.stderr).toBe(0);
    expect(heard.lines.filter((line) => line['type'] !== 'notice')).toEqual([
      expect.objectContaining({ from: 'alice', text: '@bob please look', state: 'received', mentions: ['bob'], mentionsMe: true }),
      expect.objectContaining({ from: 'alice', text: '@all meeting at 3', state: 'received', mentionAll: true, mentionsMe: true }),
    ]);
    // another member sees whom the first one mentions, and that it is not them
    const seen = await magpie([...as('pia'), 'history', '--group', groupId]);
    const messages = seen.lines.filter((l) => l['type'] === 'text');
    expect(messages).toEqual([
      expect.objectContaining({ text: '@bob please look', mentions: ['bob'] }),
      expect.objectContaining({ text: '@all meeting at 3', mentionAll: true, mentionsMe: true }),
    ]);
    expect(messages[0]).not.toHaveProperty('mentionsMe');

    // only the owner and admins may @all: the line says the server's code, and nothing is left to send later
    const refused = await magpie([...as('pia'), 'send', '--group', groupId, '--text', '@all look', '--mention-all']);
    expect(refused.code).toBe(1);
    expect(refused.lines).toEqual([expect.objectContaining({ text: '@all look', state: 'failed', code: ErrorCode.NOT_GROUP_ADMIN })]);
    const outbox = await magpie([...as('pia'), 'outbox']);
    expect(outbox.lines.map((l) => [l['text'], l['state']])).toEqual([['@all look', 'failed']]);
    // a user outside the group is the server's to refuse too
    const stranger = await magpie([...as('alice'), 'send', '--group', groupId, '--text', '@zed hi', '--mention', 'zed']);
    expect(stranger.code).toBe(1);
    expect(stranger.lines).toEqual([expect.objectContaining({ state: 'failed', code: ErrorCode.INVALID_MESSAGE, message: expect.stringContaining('zed') })]);

    // refused before anything is stored: the limit named, exit 2
    const many = Array.from({ length: 51 }, (_, i) => `m${i}`);
    const over = await magpie([...as('alice'), 'send', '--group', groupId, '--text', many.map((u) => `@${u}`).join(' '), '--mention', many.join(',')]);
    expect(over.code).toBe(2);
    expect(JSON.parse(over.stderr)).toMatchObject({ name: 'BAD_ARGUMENT', message: expect.stringContaining('at most 50') });
    const toUser = await magpie([...as('alice'), 'send', '--to', 'bob', '--text', '@bob hi', '--mention', 'bob']);
    expect(toUser.code).toBe(2);
    expect((await magpie([...as('alice'), 'outbox'])).lines.filter((l) => l['state'] === 'sending')).toEqual([]);
  });

  it('refuses a group name or nickname with a line break or an escape, and takes emoji and Chinese', { timeout: 60_000 }, async () => {
    const [broken, escaped, nickname, fine] = await Promise.all([
      magpie([...as('tina'), 'group', 'create', '--name', 'two\nlines']),
      magpie([...as('tina'), 'group', 'create', '--name', 'red\u001b[31m']),
      magpie([...as('tina'), 'profile', 'set', '--nickname', 'clear\u001b[2J']),
      magpie([...as('tina'), 'group', 'create', '--name', '茶话会 🍵']),
    ]);
    for (const run of [broken, escaped]) {
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stderr)).toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT, message: expect.stringContaining('control characters') });
    }
    expect(nickname.code).toBe(1);
    expect(JSON.parse(nickname.stderr)).toMatchObject({ code: ErrorCode.BAD_BODY, message: expect.stringContaining('control characters') });
    expect(fine.lines[0]).toMatchObject({ name: '茶话会 🍵' });
    const renamed = await magpie([...as('tina'), 'group', 'modify', '--group', fine.lines[0]!['groupId'] as string, '--name', 'tab\there']);
    expect(JSON.parse(renamed.stderr)).toMatchObject({ code: ErrorCode.INVALID_GROUP_ARGUMENT });
  });

  it('revokes a sent message for both sides; the peer may not, and an unknown id is refused', { timeout: 60_000 }, async () => {
    const sent = await magpie([...as('uma'), 'send', '--stdin', '--to', 'vic'], 'oops\nkept\n');
    const [oops, kept] = sent.lines.map((l) => String(l['id']));
    expect((await magpie([...as('vic'), 'history', '--with', 'uma'])).lines.map((l) => l['text'])).toEqual(['oops', 'kept']);

    const revoked = await magpie([...as('uma'), 'revoke', oops!]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.lines[0]).toMatchObject({ ok: true, op: 'revoke', id: oops, conversation: 'vic' });
    const [theirs, mine, notMine, unknown, notAnId] = await Promise.all([
      magpie([...as('vic'), 'history', '--with', 'uma']),
      magpie([...as('uma'), 'history', '--with', 'vic', '--offline']),
      magpie([...as('vic'), 'revoke', kept!]),
      magpie([...as('uma'), 'revoke', '12345']),
      magpie([...as('uma'), 'revoke', 'oops']),
    ]);
    for (const history of [theirs, mine]) {
      expect(history.lines.map((l) => [l['text'], l['revoked'] ?? false])).toEqual([['', true], ['kept', false]]);
    }
    expect(notMine.code).toBe(1);
    expect(JSON.parse(notMine.stderr)).toMatchObject({ code: ErrorCode.NOT_ALLOWED });
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ code: ErrorCode.MESSAGE_NOT_FOUND });
    expect(notAnId.code).toBe(2);
  });

  it('marks a conversation read: the sender sees its messages turn read', { timeout: 60_000 }, async () => {
    const sent = await magpie([...as('wes'), 'send', '--stdin', '--to', 'xena'], 'one\ntwo\n');
    const ids = sent.lines.map((l) => String(l['id']));
    const before = await magpie([...as('wes'), 'history', '--with', 'xena']);
    expect(before.lines.map((l) => l['state'])).toEqual(['sent', 'sent']);

    const read = await magpie([...as('xena'), 'read', '--with', 'wes']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.lines[0]).toMatchObject({ ok: true, op: 'read', conversation: 'wes', upTo: ids[1] });
    const after = await magpie([...as('wes'), 'history', '--with', 'xena']);
    expect(after.lines.map((l) => l['state'])).toEqual(['read', 'read']);
  });

  it('sends a burn-after-reading text that the reader burns on every side; read alone does not burn it', { timeout: 60_000 }, async () => {
    const sent = await magpie([...as('yan'), 'send', '--to', 'zoe', '--text', 'secret', '--burn']);
    expect(sent.code, sent.stderr).toBe(0);
    const id = String(sent.lines[0]!['id']);
    expect(sent.lines[0]).toMatchObject({ burnAfterReading: true, text: 'secret' });

    await magpie([...as('zoe'), 'read', '--with', 'yan']);
    const unburned = await magpie([...as('yan'), 'history', '--with', 'zoe']);
    expect(unburned.lines[0]).toMatchObject({ text: 'secret', burnAfterReading: true });
    expect(unburned.lines[0]!['burned']).toBeUndefined();

    const burned = await magpie([...as('zoe'), 'burn', id]);
    expect(burned.code, burned.stderr).toBe(0);
    expect(burned.lines[0]).toMatchObject({ id, text: '', burned: true });
    const [senderSide, own, group] = await Promise.all([
      magpie([...as('yan'), 'history', '--with', 'zoe']),
      magpie([...as('yan'), 'burn', id]),
      magpie([...as('yan'), 'send', '--group', 'g0123456789abcdef', '--text', 'x', '--burn']),
    ]);
    expect(senderSide.lines[0]).toMatchObject({ id, text: '', burned: true });
    expect(own.code).toBe(1);
    expect(JSON.parse(own.stderr)).toMatchObject({ code: ErrorCode.NOT_ALLOWED });
    expect(group.code).toBe(2);
  });

  it('creates a group, sends to it, and shows its members and history with the notice', { timeout: 60_000 }, async () => {
    const created = await magpie([...as('ivan'), 'group', 'create', '--name', 'team', '--mode', 'private', '--members', 'judy']);
    expect(created.code).toBe(0);
    const groupId = created.lines[0]!['groupId'] as string;
    expect(created.lines[0]).toMatchObject({ name: 'team', mode: 'private', myRole: 'owner' });

    const sent = await magpie([...as('ivan'), 'send', '--group', groupId, '--text', 'welcome']);
    expect(sent.lines[0]).toMatchObject({ conversation: groupId, to: groupId, state: 'sent' });
    const [members, history] = await Promise.all([
      magpie([...as('ivan'), 'group', 'members', '--group', groupId]),
      magpie([...as('judy'), 'history', '--group', groupId]),
    ]);
    expect(members.lines.map((l) => [l['userId'], l['role']]).sort()).toEqual([['ivan', 'owner'], ['judy', 'member']]);
    expect(history.lines.map((l) => [l['type'], l['type'] === 'notice' ? l['notice'] : l['text']])).toEqual([
      ['notice', 'create'],
      ['text', 'welcome'],
    ]);
  });

  it('refuses history and read of a group one is not in, or that does not exist, with the server\'s code (exit 1)', { timeout: 60_000 }, async () => {
    const [secret, open] = await Promise.all([
      magpie([...as('hal'), 'group', 'create', '--name', 'secret', '--mode', 'private', '--members', 'ida']),
      magpie([...as('hal'), 'group', 'create', '--name', 'open', '--mode', 'public']),
    ]);
    const secretId = secret.lines[0]!['groupId'] as string;
    const openId = open.lines[0]!['groupId'] as string;
    await magpie([...as('hal'), 'send', '--group', secretId, '--text', 'members only']);
    const runs = await Promise.all([
      magpie([...as('outsider'), 'history', '--group', secretId]),
      magpie([...as('outsider'), 'read', '--group', secretId]),
      magpie([...as('outsider'), 'history', '--group', openId]),
      magpie([...as('outsider'), 'read', '--group', openId]),
      magpie([...as('outsider'), 'history', '--group', 'gffffffffffffffff']),
      magpie([...as('outsider'), 'read', '--group', 'gffffffffffffffff']),
    ]);
    const codes = [ErrorCode.NOT_GROUP_MEMBER, ErrorCode.NOT_GROUP_MEMBER, ErrorCode.NOT_GROUP_MEMBER, ErrorCode.NOT_GROUP_MEMBER, ErrorCode.GROUP_NOT_FOUND, ErrorCode.GROUP_NOT_FOUND];
    runs.forEach((run, i) => {
      expect(run.code, run.stdout).toBe(1);
      expect(run.stdout).toBe('');
      expect(JSON.parse(run.stderr)).toMatchObject({ code: codes[i] });
    });
    // a member reads it as before; the owner, with nothing come in from others, marks nothing
    const [member, read, owner] = await Promise.all([
      magpie([...as('ida'), 'history', '--group', secretId]),
      magpie([...as('ida'), 'read', '--group', secretId]),
      magpie([...as('hal'), 'read', '--group', openId]),
    ]);
    expect(member.lines.map((l) => (l['type'] === 'notice' ? l['notice'] : l['text']))).toEqual(['create', 'members only']);
    expect(read.code, read.stderr).toBe(0);
    expect(owner.lines[0]).toMatchObject({ ok: true, op: 'read', conversation: openId, upTo: null });
  });

  it('invites only those not yet in: the answer names the members already in apart, the notice only the new', { timeout: 60_000 }, async () => {
    const created = await magpie([...as('kai'), 'group', 'create', '--name', 'crew', '--members', 'carol']);
    const groupId = created.lines[0]!['groupId'] as string;
    const invited = await magpie([...as('kai'), 'group', 'invite', '--group', groupId, '--members', 'bob,carol']);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.lines).toEqual([{ ok: true, op: 'invite', groupId, users: ['bob'], alreadyMembers: ['carol'] }]);
    const history = await magpie([...as('carol'), 'history', '--group', groupId]);
    expect(history.lines.find((l) => l['notice'] === 'invite')).toMatchObject({ targets: ['bob'] });
    const again = await magpie([...as('kai'), 'group', 'invite', '--group', groupId, '--members', 'bob,carol']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toMatchObject({ code: ErrorCode.ALREADY_IN_GROUP });
  });
});

