import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../server/cli/args';
import { UsageError } from '../../../server/cli/usage';

describe('magpie-server arguments', () => {
  it('starts with the documented defaults', () => {
    expect(parseCommand(['start'])).toEqual({
      kind: 'start',
      dataDir: './magpie-data',
      host: '127.0.0.1',
      port: 8883,
      httpPort: 8885,
      tls: undefined,
      logLevel: 'info',
      demo: false,
      advertise: [],
    });
    expect(parseCommand(['start', '--demo'])).toMatchObject({ kind: 'start', demo: true });
  });

  it('takes host, port, data and TLS files', () => {
    const command = parseCommand(['start', '--host', '0.0.0.0', '--port', '9000', '--data', '/d', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--http-port', '8080']);
    expect(command).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/d', tls: { certFile: 'c.pem', keyFile: 'k.pem', port: 8884 } });
  });

  it('takes the HTTP listener’s port, 0 for any free one', () => {
    expect(parseCommand(['start', '--http-port', '0'])).toMatchObject({ httpPort: 0 });
    expect(() => parseCommand(['start', '--http-port', 'web'])).toThrow(/--http-port must be a port number/);
  });

  it('takes the addresses to advertise, written as clients write them', () => {
    expect(parseCommand(['start', '--advertise', 'b.example:8883, tls://c.example:8884,tcp://127.0.0.1:9000,[::1]:7']))
      .toMatchObject({ advertise: ['b.example:8883', 'tls://c.example:8884', 'tcp://127.0.0.1:9000', '[::1]:7'] });
  });

  it('refuses a malformed, overlong or too long advertise list with a usage error', () => {
    for (const bad of ['b.example', 'http://b:1', 'b:0', 'b:70000', ',', `${'h'.repeat(260)}:1`, Array.from({ length: 17 }, (_, i) => `h${i}:1`).join(',')]) {
      expect(() => parseCommand(['start', '--advertise', bad]), bad).toThrow(UsageError);
    }
    expect(() => parseCommand(['start', '--advertise', 'nohost'])).toThrow(/--advertise ADDR\[,ADDR...\]: "nohost" is not an address/);
    expect(() => parseCommand(['user', 'list', '--app', 'P', '--advertise', 'b:1'])).toThrow(/--advertise does not apply/);
  });

  it('reads every admin command', () => {
    expect(parseCommand(['account', 'create', '--data', 'x'])).toEqual({ kind: 'account-create', dataDir: 'x' });
    expect(parseCommand(['account', 'rotate-token', '--account', 'A'])).toMatchObject({ kind: 'account-rotate-token', accountSid: 'A' });
    expect(parseCommand(['app', 'create', '--account', 'A', '--name', 'N'])).toMatchObject({ kind: 'app-create', accountSid: 'A', name: 'N' });
    expect(parseCommand(['app', 'online', 'X'])).toMatchObject({ kind: 'app-state', appId: 'X', state: 'online' });
    expect(parseCommand(['app', 'offline', 'X'])).toMatchObject({ kind: 'app-state', appId: 'X', state: 'offline' });
    expect(parseCommand(['app', 'list', '--account', 'A'])).toMatchObject({ kind: 'app-list', accountSid: 'A' });
    expect(parseCommand(['user', 'create', '--app', 'P', '--name', 'N'])).toMatchObject({ kind: 'user-create', appId: 'P', name: 'N' });
    expect(parseCommand(['user', 'list', '--app', 'P'])).toMatchObject({ kind: 'user-list', appId: 'P' });
    expect(parseCommand(['user', 'close', 'S'])).toMatchObject({ kind: 'user-close', subAccountSid: 'S' });
    expect(parseCommand(['user', 'reopen', 'S'])).toMatchObject({ kind: 'user-reopen', subAccountSid: 'S' });
  });

  it('passes a blank --name on, for the identity service to refuse with the rule it breaks', () => {
    expect(parseCommand(['app', 'create', '--account', 'A', '--name', '   '])).toMatchObject({ kind: 'app-create', name: '   ' });
    expect(parseCommand(['user', 'create', '--app', 'P', '--name', ''])).toMatchObject({ kind: 'user-create', name: '' });
  });

  it('shows help with --help or help', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['start', '--help'])).toEqual({ kind: 'help' });
  });

  it('refuses no command as a usage error, not help', () => {
    expect(() => parseCommand([])).toThrow(/no command given/);
    expect(() => parseCommand(['--data', 'x'])).toThrow(/no command given/);
  });

  it.each([
    [['bogus'], /unknown command/],
    [['app', 'create', '--name', 'x'], /--account is required/],
    [['app', 'create', '--account', 'a'], /--name is required/],
    [['user', 'create', '--app', 'a'], /--name is required/],
    [['app', 'online'], /needs an APPID/],
    [['app', 'online', 'a', 'b'], /unexpected argument: b/],
    [['user', 'create', '--app', 'a', '--name', 'b', '--port', '1'], /--port does not apply/],
    [['user', 'close'], /needs a SUBACCOUNTSID/],
    [['user', 'reopen'], /user reopen needs a SUBACCOUNTSID/],
    [['user', 'reopen', 'S', 'T'], /unexpected argument: T/],
    [['user', 'reopen', 'S', '--name', 'x'], /--name does not apply/],
    [['start', '--port', 'eighty'], /--port must be a port number/],
    [['start', '--port', '70000'], /--port must be a port number/],
    [['start', '--tls-cert', 'only-a-cert.pem'], /go together/],
    [['start', '--tls-port', '1'], /needs --tls-cert/],
    [['start', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--http-port', '8884'], /must differ/],
    [['start', '--log-level', 'loud'], /--log-level must be one of/],
    [['account', 'create', '--frobnicate'], /Unknown option/],
    [['account', 'create', 'extra'], /unexpected argument: extra/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
