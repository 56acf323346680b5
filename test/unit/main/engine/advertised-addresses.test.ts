import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../protocol';
import { createAddressBook, parseServerAddressList } from '../../../../main/engine/address-book';
import { acceptAdvertised, addressText, type AcceptedAdvertised } from '../../../../main/engine/advertised-addresses';
import { ClientConnection } from '../../../../main/engine/client-connection';
import { createEngineTuning } from '../../../../main/engine/tuning';

const texts = (list: readonly { transport: string; key: string }[]) => list.map((a) => `${a.transport}://${a.key}`);

describe('what a client takes from a server’s advertised addresses', () => {
  it('keeps the server’s order, after the user’s own, each once', () => {
    const configured = parseServerAddressList('a.example:8884');
    const { accepted, ignored } = acceptAdvertised(configured, ['c.example:8884', 'b.example:8884', 'C.example:8884', 'c.example:8884', 'a.example:8884']);
    expect(texts(accepted)).toEqual(['tls://c.example:8884', 'tls://b.example:8884', 'tls://C.example:8884']);
    expect(ignored).toEqual([]);
  });

  it('makes a bare address off this machine TLS, a loopback one plain, as the user’s own', () => {
    const { accepted } = acceptAdvertised(parseServerAddressList('127.0.0.1:1'), ['198.51.100.7:8884', '127.0.0.1:2', '[::1]:3', 'tls://127.0.0.1:4']);
    expect(accepted.map(addressText)).toEqual(['tls://198.51.100.7:8884', 'tcp://127.0.0.1:2', 'tcp://[::1]:3', 'tls://127.0.0.1:4']);
  });

  it('never downgrades an address the user gave as TLS', () => {
    const configured = parseServerAddressList('tls://127.0.0.1:9000,b.example:8884');
    const { accepted } = acceptAdvertised(configured, ['tcp://127.0.0.1:9000', 'tcp://b.example:8884', '127.0.0.1:9000']);
    expect(accepted).toEqual([]);
    const book = createAddressBook({ addresses: configured, clock: new ManualClock(), tuning: createEngineTuning() });
    book.learn(acceptAdvertised(configured, ['tcp://127.0.0.1:9000', '127.0.0.1:9001']).accepted);
    expect(texts(book.addresses)).toEqual(['tls://127.0.0.1:9000', 'tls://b.example:8884', 'tcp://127.0.0.1:9001']);
  });

  it('refuses plain TCP across the network unless the user already goes plain there', () => {
    const tls = acceptAdvertised(parseServerAddressList('a.example:8884'), ['tcp://b.example:8883']);
    expect(tls.accepted).toEqual([]);
    expect(tls.ignored).toEqual([{ text: 'tcp://b.example:8883', reason: expect.stringMatching(/plain TCP/) }]);
    expect(texts(acceptAdvertised(parseServerAddressList('tcp://a.example:8883'), ['tcp://b.example:8883']).accepted)).toEqual(['tcp://b.example:8883']);
    const insecure = acceptAdvertised(parseServerAddressList('a.example:8883', { insecurePlain: true }), ['b.example:8883', 'tls://c.example:8884'], { insecurePlain: true });
    expect(texts(insecure.accepted)).toEqual(['tcp://b.example:8883', 'tls://c.example:8884']);
  });

  it('leaves out and names malformed, overlong and surplus entries, never throwing', () => {
    const many = Array.from({ length: 18 }, (_, i) => `n${i}.example:8884`);
    const long = `${'h'.repeat(250)}.example:1`;
    const { accepted, ignored } = acceptAdvertised(parseServerAddressList('a.example:1'), ['not an address', 'b:0', 'http://b:1', '', long, ...many]);
    // the cap counts the server's entries, good or bad: a server sends at most 16
    expect(accepted.map((a) => a.key)).toEqual(many.slice(0, 11));
    expect(ignored.map((i) => i.reason)).toEqual([
      ...Array(4).fill(expect.stringMatching(/not an address/)),
      expect.stringMatching(/longer than 255/),
      ...Array(7).fill(expect.stringMatching(/more than 16/)),
    ]);
  });
});

describe('the address book with learned addresses', () => {
  it('races the configured addresses first, the learned after, and a winner first of all', async () => {
    const clock = new ManualClock();
    const configured = parseServerAddressList('127.0.0.1:1,127.0.0.1:2');
    const book = createAddressBook({ addresses: configured, learned: parseServerAddressList('127.0.0.1:3'), clock, tuning: createEngineTuning() });
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']);
    book.recordWin('127.0.0.1:3', 5);
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:3', '127.0.0.1:1', '127.0.0.1:2']);
    // a new list replaces the learned ones; the configured ones stay, whatever the server says
    book.learn(parseServerAddressList('127.0.0.1:4,127.0.0.1:1'));
    expect(book.addresses.map((a) => a.key)).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:4']);
    expect(book.learned.map((a) => a.key)).toEqual(['127.0.0.1:4']);
    book.ban('127.0.0.1:1');
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:2', '127.0.0.1:4']);
  });
});

describe('addresses remembered from an earlier session', () => {
  it('are checked again when the engine starts: the bad ones are left out and reported, never thrown', () => {
    const outcomes: AcceptedAdvertised[] = [];
    const connection = new ClientConnection({
      addresses: ['a.example:8884'],
      learned: ['tls://b.example:8884', 'tcp://c.example:8883', 'garbage', 'a.example:8884', '127.0.0.1:9'],
      login: {},
      tuning: createEngineTuning(),
      clock: new ManualClock(),
      random: () => 0.5,
      onLogin: () => undefined,
      onPush: () => undefined,
      onStatus: () => undefined,
      onAdvertised: (outcome) => outcomes.push(outcome),
    });
    expect(connection.learnedAddresses).toEqual(['tls://b.example:8884', 'tcp://127.0.0.1:9']);
    expect(outcomes[0]!.ignored.map((i) => i.text)).toEqual(['tcp://c.example:8883', 'garbage']);
  });
});
