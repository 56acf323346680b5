import { describe, expect, it } from 'vitest';
import { isLocalCommand, parseCli, type SecretSources } from '../../../../main/cli/args';
import { COMMAND_USAGE, UsageError } from '../../../../main/cli/usage';

const LOGIN = ['--app', 'app1', '--token', 'tok', '--user', 'alice'];

function usageError(argv: string[]): UsageError {
  try {
    parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('magpie CLI arguments', () => {
  it('reads the global flags with their defaults and the three logins', () => {
    const token = parseCli([...LOGIN, 'listen']);
    expect(token.global).toEqual({
      servers: ['127.0.0.1:8883'],
      appId: 'app1',
      user: 'alice',
      auth: { type: 'appToken', user: 'alice', token: 'tok' },
      profileDir: undefined,
      timeoutMs: 10_000,
      caFile: undefined,
      insecurePlain: false,
      force: false,
    });
    const password = parseCli(['--server', '10.0.0.1:1,10.0.0.2:2', '--app', 'a', '--user', '8001', '--password', 'pw', '--timeout', '2.5', 'outbox', 'flush']);
    expect(password.global).toMatchObject({ servers: ['10.0.0.1:1', '10.0.0.2:2'], auth: { type: 'password', user: '8001', password: 'pw' }, timeoutMs: 2_500 });
    const signed = parseCli(['--app', 'a', '--user', 'bob', '--signed', 'SIG', '--ts', '20261128', '--md5', '--profile', '/p', 'outbox', 'flush']);
    expect(signed.global).toMatchObject({ profileDir: '/p', auth: { type: 'signed', signature: 'SIG', timestamp: '20261128', algorithm: 'md5' } });
    const tls = parseCli([...LOGIN, '--server', 'tls://im.example.com:8884,tcp://10.0.0.1:8883', '--ca', '/etc/magpie/ca.pem', 'listen']);
    expect(tls.global).toMatchObject({ servers: ['tls://im.example.com:8884', 'tcp://10.0.0.1:8883'], caFile: '/etc/magpie/ca.pem', insecurePlain: false });
    expect(parseCli([...LOGIN, '--insecure-plain', 'listen']).global).toMatchObject({ insecurePlain: true });
    expect(parseCli([...LOGIN, '--force', 'send', '--to', 'bob', '--text', 'hi']).global).toMatchObject({ force: true });
  });

  it('says how to send words given without --text, and refuses them as before', () => {
    expect(usageError([...LOGIN, 'send', '--to', 'bob', 'hello', 'world']).message).toBe(
      'unexpected argument: hello (to send it as the text, write --text "hello world")',
    );
    // with something to send already, an extra word is only unexpected
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', 'hi', 'there']).message).toBe('unexpected argument: there');
  });

  it('parses each command into what it asks for', () => {
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--text', 'hi']).command).toEqual({ kind: 'send', to: 'bob', text: 'hi', stdin: false });
    expect(parseCli([...LOGIN, 'send', '--group', 'g42', '--stdin']).command).toEqual({ kind: 'send', to: 'g42', text: undefined, stdin: true });
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--custom', 'order.paid', '--payload', '{"id":7}']).command).toEqual({
      kind: 'send', to: 'bob', text: undefined, stdin: false, custom: { command: 'order.paid', payload: '{"id":7}', transient: false },
    });
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--custom', 'ping', '--transient']).command).toMatchObject({
      custom: { command: 'ping', payload: '{}', transient: true },
    });
    expect(parseCli([...LOGIN, 'listen', '--count', '3']).command).toEqual({ kind: 'listen', count: 3 });
    expect(parseCli([...LOGIN, 'history', '--with', 'bob', '--limit', '5', '--offline']).command).toEqual({
      kind: 'history', conversation: 'bob', limit: 5, offline: true,
    });
    expect(parseCli([...LOGIN, 'outbox', 'flush']).command).toEqual({ kind: 'outbox', flush: true });
    expect(parseCli([...LOGIN, 'outbox', 'discard']).command).toEqual({ kind: 'outbox', flush: false, discard: { id: undefined } });
    expect(parseCli([...LOGIN, 'outbox', 'discard', 'AB'.repeat(16)]).command).toEqual({ kind: 'outbox', flush: false, discard: { id: 'ab'.repeat(16) } });
    expect(usageError([...LOGIN, 'outbox', 'discard', '17']).message).toContain('not an outbox id');
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', ' \t ']).message).toContain('only white space');
    // a custom message over the server's limits is refused before it is stored
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'c'.repeat(65)]).message).toContain('at most 64');
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--custom', 'c'.repeat(64)]).command).toMatchObject({ custom: { command: 'c'.repeat(64) } });
    // counted as the server counts it: UTF-16 code units, an emoji two
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', '🐦'.repeat(33)]).message).toMatch(/^--custom is 66 characters long \(UTF-16 code units.*at most 64$/);
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--custom', '🐦'.repeat(32)]).command).toMatchObject({ custom: { command: '🐦'.repeat(32) } });
    // a control character the server refuses in a command (as in a text) is named, before anything is stored
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'paint\u001b[31m'])).toMatchObject({
      command: 'send', message: '--custom must not hold control characters other than tab and line breaks (it holds ESC, U+001B)',
    });
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'a\u0000b']).message).toContain('(it holds NUL, U+0000)');
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'a\u007f']).message).toContain('(it holds DEL, U+007F)');
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'csi\u009b', '--transient']).message).toContain('(it holds U+009B)');
    // tab and line breaks stay allowed, as the server allows them
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--custom', 'two\tparts\r\n']).command).toMatchObject({ custom: { command: 'two\tparts\r\n' } });
    const payload = (bytes: number) => `"${'x'.repeat(bytes - 2)}"`;
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'big', '--payload', payload(16 * 1024 + 1)]).message).toContain('at most 16384');
    expect(parseCli([...LOGIN, 'send', '--to', 'bob', '--custom', 'big', '--payload', payload(16 * 1024)]).command).toMatchObject({ custom: { command: 'big' } });
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', 'a', '--text', 'b'])).toMatchObject({ command: 'send', message: expect.stringContaining('--text is given more than once') });
    expect(usageError([...LOGIN, '--timeout', '-1', 'send', '--to', 'bob', '--text', 'a'])).toMatchObject({ command: 'send', message: expect.not.stringContaining('\n') });
    // a flag without its value is said so, in one line, without the parser's own wording
    expect(usageError([...LOGIN, '--timeout', '-1', 'send', '--to', 'bob', '--text', 'a']).message).toBe(
      '--timeout needs a value: -1 after it starts with a dash, so it is taken for a flag; write --timeout=-1',
    );
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text'])).toMatchObject({ command: 'send', message: '--text needs a value' });
    expect(usageError([...LOGIN, 'send', '--to', '--text', 'a'])).toMatchObject({ command: 'send', message: '--to needs a value (--text after it is a flag)' });
    expect(usageError([...LOGIN, 'listen', '--count']).message).toBe('--count needs a value');
    expect(parseCli([...LOGIN, 'search', '北京', 'meeting']).command).toEqual({ kind: 'search', query: '北京 meeting', limit: 50 });
    expect(parseCli([...LOGIN, 'group', 'create', '--name', 'team', '--mode', 'approval', '--members', 'bob, carol']).command).toEqual({
      kind: 'group', group: { op: 'create', name: 'team', mode: 'approval', members: ['bob', 'carol'] },
    });
    expect(parseCli([...LOGIN, 'group', 'approve', '--group', 'g1', '--request', '7']).command).toEqual({
      kind: 'group', group: { op: 'approve', groupId: 'g1', requestId: 7 },
    });
    expect(parseCli([...LOGIN, 'group', 'dnd', '--group', 'g1', '--off']).command).toEqual({ kind: 'group', group: { op: 'dnd', groupId: 'g1', on: false } });
    expect(parseCli([...LOGIN, 'group', 'mute-all', '--group', 'g1', '--on']).command).toEqual({ kind: 'group', group: { op: 'mute-all', groupId: 'g1', on: true } });
    expect(usageError([...LOGIN, 'group', 'mute-all', '--group', 'g1']).message).toBe('give either --on or --off');
    expect(parseCli([...LOGIN, 'profile', 'set', '--nickname', '喜鹊']).command).toEqual({ kind: 'profile', nickname: '喜鹊', avatar: undefined });
  });

  it('gives help for the whole tool and for each command, with no login needed', () => {
    expect(parseCli([]).command).toEqual({ kind: 'help', topic: '' });
    expect(parseCli(['send', '--help']).command).toEqual({ kind: 'help', topic: 'send' });
    expect(parseCli(['group', 'create', '-h']).command).toEqual({ kind: 'help', topic: 'group' });
  });

  it('refuses bad arguments with a message that says what is wrong', () => {
    expect(usageError([...LOGIN, 'send', '--text', 'hi']).message).toBe('give either --to USER or --group GID');
    expect(usageError([...LOGIN, 'send', '--to', 'bob']).message).toBe(
      'give what to send: --text T, --stdin, --custom CMD, --file P, --image P or --voice P --duration MS',
    );
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', 'hi', '--stdin']).message).toBe('give either --text T or --stdin, not both');
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'x', '--payload', '{oops']).message).toMatch(/^--payload must be JSON/);
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--custom', 'x', '--text', 'hi']).message).toBe('give --custom CMD or a text (--text, --stdin), not both');
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', 'hi', '--payload', '{}']).message).toBe('--payload and --transient go with --custom CMD');
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--group', 'g1', '--text', 'x']).message).toBe('give either --to USER or --group GID');
    expect(usageError([...LOGIN, 'send', '--to', 'b@d', '--text', 'x']).message).toMatch(/--to must be a user id/);
    // a group id given where a user's goes names the flag that takes it
    expect(usageError([...LOGIN, 'send', '--to', 'g123', '--text', 'x']).message).toBe('--to must be a user id, not the group id "g123": use --group g123 for a group');
    expect(usageError([...LOGIN, 'read', '--with', 'g123']).message).toBe('--with must be a user id, not the group id "g123": use --group g123 for a group');
    expect(usageError([...LOGIN, 'history', '--with', 'g123']).message).toBe('--with must be a user id, not the group id "g123": use --group g123 for a group');
    expect(usageError([...LOGIN, 'listen', '--count', '0']).message).toMatch(/--count must be a whole number from 1 to 4294967295/);
    expect(usageError([...LOGIN, 'listen', '--text', 'x']).message).toBe('--text does not apply to "listen"');
    expect(usageError([...LOGIN, 'group', 'approve', '--group', 'g1']).message).toBe('--request is required');
    // a flag given blank is not "required": it was given
    expect(usageError([...LOGIN, 'group', 'modify', '--group', 'g1', '--name', '']).message).toBe('--name is empty: give a value');
    expect(usageError([...LOGIN, 'group', 'create', '--name', '  ']).message).toBe('--name is empty (only white space): give a value');
    // a group's size is one of its types', said before anything is sent
    expect(usageError([...LOGIN, 'group', 'create', '--name', 't', '--capacity', '2']).message).toBe('--capacity: a group holds 100, 300, 500, 1000 or 2000 members, not 2');
    expect(parseCli([...LOGIN, 'group', 'create', '--name', 't', '--capacity', '1000']).command).toMatchObject({ group: { capacity: 1000 } });
    expect(usageError([...LOGIN, 'group', 'role', '--group', 'g1', '--member', 'bob', '--role', 'owner']).message).toMatch(/--role must be admin or member/);
    expect(usageError([...LOGIN, 'group', 'fly']).message).toBe('unknown group command: fly');
    expect(usageError(['--app', 'a', '--user', 'alice', 'listen']).message).toMatch(/exactly one of --token, --token-file, --password, --password-file or --signed/);
    expect(usageError(['--app', 'a', '--user', 'alice', '--signed', 's', 'listen']).message).toBe('--ts is required');
    expect(usageError([...LOGIN, '--timeout', 'soon', 'listen']).message).toMatch(/--timeout must be a number of seconds/);
    expect(usageError([...LOGIN, '--server', 'nowhere', 'listen']).message).toMatch(/--server must be \[tls:\/\/\|tcp:\/\/\]host:port/);
    expect(usageError([...LOGIN, '--bogus', 'listen']).message).toBe('unknown flag --bogus');
    expect(usageError([...LOGIN, 'listen', '--cuont', '2']).message).toBe('unknown flag --cuont (did you mean --count?)');
    expect(usageError([...LOGIN, 'histroy', '--with', 'bob']).message).toBe('unknown command: histroy (did you mean history?)');
    expect(usageError([...LOGIN, 'fly']).message).toBe('unknown command: fly');
    expect(usageError([...LOGIN, 'revoke']).message).toBe('revoke needs MSGID (the message id listen and history print)');
    expect(usageError([...LOGIN, 'revoke', 'abc']).message).toBe('revoke: "abc" is not a message id (a number, as listen and history print it)');
    // what the terminal is shown is escaped: an argument cannot send it control sequences
    expect(usageError([...LOGIN, 'burn', '\u001b[2J']).message).toBe('burn: "\\u001b[2J" is not a message id (a number, as listen and history print it)');
  });

  it('refuses a voice message under a second, as the app does, and sends one of a second', () => {
    const voice = (ms: string) => [...LOGIN, 'send', '--to', 'bob', '--voice', 'v.webm', '--duration', ms];
    const short = usageError(voice('999'));
    expect(short.message).toBe('--duration is 999 ms: a voice message lasts at least 1000 ms (1 second)');
    expect(short.command).toBe('send');
    expect(usageError(voice('1')).message).toMatch(/at least 1000 ms/);
    expect(parseCli(voice('1000')).command).toMatchObject({ kind: 'send-file', mediaKind: 'voice', durationMs: 1000 });
    expect(COMMAND_USAGE['send']).toContain('at least 1000 (1 second');
  });

  it('refuses a voice message over the server\'s 60 s before the upload, and sends one of 60 s', () => {
    const voice = (ms: string) => [...LOGIN, 'send', '--to', 'bob', '--voice', 'v.webm', '--duration', ms];
    const long = usageError(voice('60001'));
    expect(long.message).toBe('--duration is 60001 ms: a voice message lasts at most 60000 ms (60 seconds)');
    expect(long.command).toBe('send');
    expect(parseCli(voice('60000')).command).toMatchObject({ kind: 'send-file', mediaKind: 'voice', durationMs: 60_000 });
    expect(COMMAND_USAGE['send']).toContain('at most 60000 (60 seconds');
  });

  it("says the sizes it prints are a server's defaults, and that the server's own limits are checked once logged in", () => {
    const usage = COMMAND_USAGE['send']!.replace(/\s+/g, ' ');
    expect(usage).toContain("a server's defaults are 100 MiB for a file, 20 MiB for an image and 2 MiB for a voice message, and a server may be set to others");
    expect(usage).toContain("checked against the server's own limits, as its login tells them, once logged in and before anything is stored or sent");
    expect(COMMAND_USAGE['revoke']!.replace(/\s+/g, ' ')).toContain("the server's revoke window (a server's default is 2 minutes;");
  });
});

describe('magpie send --mention and --mention-all', () => {
  const group = [...LOGIN, 'send', '--group', 'g42'];

  it('mentions members of a group text by id (split on commas, each once) or everyone', () => {
    expect(parseCli([...group, '--text', '@bob please look', '--mention', 'bob']).command).toEqual({
      kind: 'send', to: 'g42', text: '@bob please look', stdin: false, mentions: ['bob'],
    });
    expect(parseCli([...group, '--text', '@bob @carol_1 @bob', '--mention', 'bob, carol_1,,bob']).command).toMatchObject({ mentions: ['bob', 'carol_1'] });
    expect(parseCli([...group, '--text', '@all meeting at 3', '--mention-all']).command).toEqual({
      kind: 'send', to: 'g42', text: '@all meeting at 3', stdin: false, mentionAll: true,
    });
    // the desktop app's label for everyone, in either of its languages, is @all too
    expect(parseCli([...group, '--text', '@所有人 开会', '--mention-all']).command).toMatchObject({ mentionAll: true });
    expect(parseCli([...group, '--text', '@Everyone and @bob', '--mention-all', '--mention', 'bob']).command).toMatchObject({ mentions: ['bob'], mentionAll: true });
    // a plain send is as before: no mention fields
    expect(parseCli([...group, '--text', '@bob hi']).command).toEqual({ kind: 'send', to: 'g42', text: '@bob hi', stdin: false });
  });

  it('refuses mentions outside a group text, before anything is stored', () => {
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', '@bob hi', '--mention', 'bob']).message).toBe(
      '--mention: mentions are for group messages (--group GID), not --to',
    );
    expect(usageError([...LOGIN, 'send', '--to', 'bob', '--text', '@all hi', '--mention-all']).message).toBe(
      '--mention-all: mentions are for group messages (--group GID), not --to',
    );
    expect(usageError([...group, '--custom', 'ping', '--mention', 'bob']).message).toBe('--mention goes with --text T (a mention is part of a text)');
    expect(usageError([...group, '--image', '/tmp/a.png', '--mention-all']).message).toBe('--mention-all goes with --text T (a mention is part of a text)');
    expect(usageError([...group, '--stdin', '--mention', 'bob', '--mention-all']).message).toBe(
      '--mention and --mention-all go with --text T (a mention is part of a text)',
    );
    expect(usageError([...LOGIN, 'listen', '--mention', 'bob']).message).toBe('--mention does not apply to "listen"');
  });

  it('refuses a bad id, an empty list, more users than the server takes, and a text that does not name them', () => {
    expect(usageError([...group, '--text', '@b@d', '--mention', 'b@d']).message).toMatch(/^--mention must be a user id .*not "b@d"/);
    expect(usageError([...group, '--text', '@g1', '--mention', 'g1']).message).toMatch(/^--mention must be a user id/);
    expect(usageError([...group, '--text', 'hi', '--mention', ' , ']).message).toBe('--mention needs at least one user id (a,b,c)');
    const users = Array.from({ length: 51 }, (_, i) => `u${i}`);
    const text = users.map((u) => `@${u}`).join(' ');
    expect(usageError([...group, '--text', text, '--mention', users.join(',')]).message).toBe(
      '--mention names 51 users; the server takes at most 50 in one message',
    );
    expect(parseCli([...group, '--text', text, '--mention', users.slice(0, 50).join(',')]).command).toMatchObject({ mentions: users.slice(0, 50) });
    expect(usageError([...group, '--text', 'please look', '--mention', 'bob,carol']).message).toBe(
      '--text must name each user it mentions, as the app writes it: add "@bob", "@carol" to it',
    );
    expect(usageError([...group, '--text', 'meeting at 3', '--mention-all']).message).toBe(
      '--text must say whom --mention-all calls, as the app writes it: add "@all" to it',
    );
    expect(usageError([...group, '--text', '@bob', '--mention', 'bob', '--mention', 'carol']).message).toBe('--mention is given more than once: give it once');
  });

  it('says how to mention in send --help', () => {
    expect(COMMAND_USAGE['send']).toContain('send --group GID --text T [--mention USER[,USER...]] [--mention-all]');
    expect(COMMAND_USAGE['send']).toContain('--text "@bob please look" --mention bob');
  });
});

describe('magpie login secrets kept out of the command line (ps shows arguments)', () => {
  const files: Record<string, string> = { '/run/token': 'tok-from-file\n', '-': 'pw-from-stdin\r\nsecond line\n', '/run/empty': '\n' };
  const sources = (env: Record<string, string> = {}): SecretSources => ({
    env,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
  });
  const BASE = ['--app', 'a', '--user', 'alice'];
  const refusal = (argv: string[], env: Record<string, string> = {}): string => {
    try {
      parseCli(argv, sources(env));
    } catch (error) {
      if (error instanceof UsageError) return error.message;
      throw error;
    }
    throw new Error('no usage error');
  };

  it('reads the app token or the password from a file, stdin ("-") or the environment', () => {
    expect(parseCli([...BASE, '--token-file', '/run/token', 'listen'], sources()).global!.auth).toEqual({ type: 'appToken', user: 'alice', token: 'tok-from-file' });
    expect(parseCli([...BASE, '--password-file', '-', 'listen'], sources()).global!.auth).toEqual({ type: 'password', user: 'alice', password: 'pw-from-stdin' });
    expect(parseCli([...BASE, 'listen'], sources({ MAGPIE_TOKEN: 'tok-env' })).global!.auth).toMatchObject({ type: 'appToken', token: 'tok-env' });
    expect(parseCli([...BASE, 'listen'], sources({ MAGPIE_PASSWORD: 'pw-env' })).global!.auth).toMatchObject({ type: 'password', password: 'pw-env' });
    // an argument wins over the environment
    expect(parseCli([...BASE, '--password', 'pw-arg', 'listen'], sources({ MAGPIE_TOKEN: 'tok-env' })).global!.auth).toMatchObject({ type: 'password', password: 'pw-arg' });
  });

  it('refuses two sources at once, an empty or missing file, and stdin wanted twice', () => {
    expect(refusal([...BASE, '--token', 't', '--token-file', '/run/token', 'listen'])).toBe('log in one way only, not --token and --token-file');
    expect(refusal([...BASE, 'listen'], { MAGPIE_TOKEN: 't', MAGPIE_PASSWORD: 'p' })).toBe('set only one of MAGPIE_TOKEN and MAGPIE_PASSWORD');
    expect(refusal([...BASE, '--token-file', '/run/empty', 'listen'])).toMatch(/holds no token/);
    expect(refusal([...BASE, '--password-file', '/nope', 'listen'])).toMatch(/--password-file \/nope: ENOENT/);
    expect(refusal([...BASE, '--password-file', '-', 'send', '--to', 'bob', '--stdin'])).toMatch(/cannot both read stdin/);
  });

  it('refuses an empty secret argument (an unset variable in "--token $TOKEN") before anything is stored or sent', () => {
    expect(refusal([...BASE, '--token', '', 'listen'])).toBe('--token is empty: give a value');
    expect(refusal([...BASE, '--password', '', 'send', '--to', 'bob', '--text', 'hi'])).toBe('--password is empty: give a value');
    expect(refusal([...BASE, '--signed', ' ', '--ts', '1', 'listen'])).toBe('--signed is empty (only white space): give a value');
  });
});

describe('magpie local commands need no login secret', () => {
  const BASE = ['--app', 'a', '--user', 'alice', '--profile', '/p'];
  // no secret anywhere: no flag, nothing in the environment; a file read would be a secret looked for
  const reads: string[] = [];
  const none = (env: Record<string, string> = {}): SecretSources => ({
    env,
    readFile: (path) => {
      reads.push(path);
      return 'tok-from-file\n';
    },
  });
  const LOCAL = [
    ['history', '--with', 'bob', '--offline'],
    ['history', '--group', 'g1', '--offline'],
    ['search', 'hello'],
    ['outbox'],
    ['outbox', 'discard'],
    ['outbox', 'discard', '0123456789abcdef0123456789abcdef'],
  ];

  it('parses history --offline, search, outbox and outbox discard with --app and --user only, and no login', () => {
    for (const command of LOCAL) {
      expect(isLocalCommand(parseCli([...BASE, ...command], none()).command), command.join(' ')).toBe(true);
      expect(parseCli([...BASE, ...command], none()).global, command.join(' ')).toMatchObject({ appId: 'a', user: 'alice', profileDir: '/p', auth: undefined });
    }
  });

  it('ignores a secret given to a local command, without reading or checking it', () => {
    reads.length = 0;
    for (const command of LOCAL) {
      for (const secret of [
        ['--token', 'tok'],
        ['--password', ''],
        ['--token-file', '/run/token'],
        ['--password-file', '-'],
        ['--token', 't', '--password', 'p'],
        ['--signed', 'SIG'],
      ]) {
        expect(parseCli([...BASE, ...secret, ...command], none()).global!.auth, `${secret.join(' ')} ${command.join(' ')}`).toBeUndefined();
      }
      expect(parseCli([...BASE, ...command], none({ MAGPIE_TOKEN: 't', MAGPIE_PASSWORD: 'p' })).global!.auth).toBeUndefined();
    }
    // neither a file nor stdin was opened for it
    expect(reads).toEqual([]);
  });

  it('still needs --app and a --user that can name a store', () => {
    const refusal = (argv: string[]): string => {
      try {
        parseCli(argv, none());
      } catch (error) {
        if (error instanceof UsageError) return error.message;
        throw error;
      }
      throw new Error('no usage error');
    };
    expect(refusal(['--user', 'alice', 'outbox'])).toBe('--app is required');
    expect(refusal(['--app', 'a', 'search', 'x'])).toBe('--user is required');
    expect(refusal(['--app', 'a', '--user', 'b@d', 'history', '--with', 'bob', '--offline'])).toMatch(/--user must be a user id/);
  });

  it('still needs the secret, exactly as before, for every command that connects', () => {
    const needsSecret = /^log in with exactly one of --token, --token-file, --password, --password-file or --signed/;
    for (const command of [
      ['history', '--with', 'bob'],
      ['outbox', 'flush'],
      ['send', '--to', 'bob', '--text', 'hi'],
      ['listen'],
      ['read', '--with', 'bob'],
      ['revoke', '17'],
      ['burn', '17'],
      ['download', '17', '--out', '/tmp'],
      ['group', 'list'],
      ['profile', 'set', '--nickname', 'A'],
    ]) {
      expect(isLocalCommand(parseCli([...BASE, '--token', 't', ...command], none()).command), command.join(' ')).toBe(false);
      expect(() => parseCli([...BASE, ...command], none()), command.join(' ')).toThrow(needsSecret);
    }
    expect(() => parseCli([...BASE, '--token', '', 'outbox', 'flush'], none())).toThrow('--token is empty: give a value');
    expect(parseCli([...BASE, 'outbox', 'flush'], none({ MAGPIE_TOKEN: 'tok-env' })).global!.auth).toEqual({ type: 'appToken', user: 'alice', token: 'tok-env' });
  });
});
