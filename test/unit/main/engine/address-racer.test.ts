import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, MagpieError, systemClock } from '../../../../protocol';
import { createAddressBook, parseServerAddressList, type ResolvedAddress } from '../../../../main/engine/address-book';
import { connectTcp, createAddressRacer, nothingListened, raceConnects } from '../../../../main/engine/address-racer';
import { createEngineTuning } from '../../../../main/engine/tuning';

/** A loopback server that greets each connection with one byte after greetDelayMs. */
interface TestServer {
  readonly address: string;
  readonly connections: number;
  readonly openSockets: number;
  close(): Promise<void>;
}

async function startServer(greetDelayMs: number): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    const timer = setTimeout(() => socket.write('!'), greetDelayMs);
    socket.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    get openSockets() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function closedPortAddress(): Promise<string> {
  const server = await startServer(0);
  await server.close();
  return server.address;
}

/** Connected means the server has greeted us: like a TLS handshake or a HELLO_ACK, it proves the server is alive. */
async function connectAndAwaitGreeting(address: ResolvedAddress, signal: AbortSignal): Promise<Socket> {
  const socket = await connectTcp(address, signal);
  return new Promise<Socket>((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('data', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('close', () => reject(new Error('closed before the greeting')));
  });
}

async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('address racing over real sockets', () => {
  it('skips a closed port at once, lets a fast server overtake a late one, and remembers the winner', async () => {
    const late = await startServer(400);
    const fast = await startServer(0);
    servers.push(late, fast);
    const closed = await closedPortAddress();
    const tuning = createEngineTuning({ connectStaggerMs: 100, connectTimeoutMs: 2_000, addressBanMs: 60_000 });
    const book = createAddressBook({ addresses: [closed, late.address, fast.address], clock: systemClock, tuning });
    const racer = createAddressRacer({ book, connect: connectAndAwaitGreeting, clock: systemClock, tuning });

    const started = Date.now();
    const first = await racer.connect();
    sockets.push(first.socket);
    expect(first.address.key).toBe(fast.address);
    expect(Date.now() - started).toBeLessThan(350); // the late server would have needed 400 ms
    expect(first.failures.map((f) => f.address.key)).toEqual([closed]);
    expect(book.isBanned(closed)).toBe(true);
    expect(book.preferred?.key).toBe(fast.address);
    expect(late.connections).toBe(1);
    await eventually(() => late.openSockets === 0); // the loser was destroyed

    const second = await racer.connect();
    sockets.push(second.socket);
    expect(second.address.key).toBe(fast.address);
    expect(second.failures).toEqual([]);
    expect(late.connections).toBe(1); // the remembered winner connected before the stagger ran out
  });

  it('fails with NOT_CONNECTED naming every address when none answers', async () => {
    const closedA = await closedPortAddress();
    const closedB = await closedPortAddress();
    const tuning = createEngineTuning({ connectStaggerMs: 5_000 });
    const book = createAddressBook({ addresses: [closedA, closedB], clock: systemClock, tuning });
    const racer = createAddressRacer({ book, connect: connectAndAwaitGreeting, clock: systemClock, tuning });
    const started = Date.now();
    const error = await racer.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MagpieError);
    expect((error as MagpieError).code).toBe(ErrorCode.NOT_CONNECTED);
    expect((error as MagpieError).message).toContain(closedA);
    expect((error as MagpieError).message).toContain(closedB);
    expect(Date.now() - started).toBeLessThan(2_000); // failures start the next at once, not after 5 s
    expect(nothingListened(error)).toBe(true);
  });

  it('a race that a listening server lost by its timeout is not "nothing listened"', async () => {
    const silent = await startServer(60_000);
    servers.push(silent);
    const closed = await closedPortAddress();
    const tuning = createEngineTuning({ connectStaggerMs: 10, connectTimeoutMs: 100 });
    const book = createAddressBook({ addresses: [closed, silent.address], clock: systemClock, tuning });
    const racer = createAddressRacer({ book, connect: connectAndAwaitGreeting, clock: systemClock, tuning });
    const error = await racer.connect().catch((e: unknown) => e);
    expect((error as MagpieError).code).toBe(ErrorCode.NOT_CONNECTED);
    expect(nothingListened(error)).toBe(false);
    expect(nothingListened(new MagpieError(ErrorCode.CONNECTION_CLOSED, 'closed'))).toBe(false);
  });

  it('gives up on an address that connects but never answers, after the attempt timeout', async () => {
    const silent = await startServer(60_000);
    const fast = await startServer(0);
    servers.push(silent, fast);
    const tuning = createEngineTuning({ connectStaggerMs: 10_000, connectTimeoutMs: 100 });
    const book = createAddressBook({ addresses: [silent.address, fast.address], clock: systemClock, tuning });
    const racer = createAddressRacer({ book, connect: connectAndAwaitGreeting, clock: systemClock, tuning });
    const result = await racer.connect();
    sockets.push(result.socket);
    expect(result.address.key).toBe(fast.address);
    expect((result.failures[0]?.error as MagpieError).code).toBe(ErrorCode.REQUEST_TIMEOUT);
    await eventually(() => silent.openSockets === 0);
  });
});

describe('staggering on a manual clock', () => {
  const addresses = (n: number): ResolvedAddress[] =>
    Array.from({ length: n }, (_, i) => ({ key: `10.0.0.${i}:1`, host: `10.0.0.${i}`, port: 1, transport: 'tcp', ip: `10.0.0.${i}`, family: 4 }));

  it('starts one attempt, then the next each stagger, and destroys a late winner', async () => {
    const clock = new ManualClock();
    const started: string[] = [];
    const pending = new Map<string, (socket: { destroyed: boolean; destroy(): void }) => void>();
    const connect = (address: ResolvedAddress): Promise<{ destroyed: boolean; destroy(): void }> => {
      started.push(address.key);
      return new Promise((resolve) => pending.set(address.key, resolve));
    };
    const race = raceConnects(addresses(3), connect, { clock, staggerMs: 2_500, attemptTimeoutMs: 60_000 });
    expect(started).toEqual(['10.0.0.0:1']);
    clock.advance(2_499);
    expect(started).toHaveLength(1);
    clock.advance(1);
    expect(started).toEqual(['10.0.0.0:1', '10.0.0.1:1']);
    clock.advance(100);
    const winner = { destroyed: false, destroy: () => (winner.destroyed = true) };
    pending.get('10.0.0.1:1')!(winner);
    const result = await race;
    expect(result).toMatchObject({ address: { key: '10.0.0.1:1' }, connectMs: 100 });
    const loser = { destroyed: false, destroy: () => (loser.destroyed = true) };
    pending.get('10.0.0.0:1')!(loser);
    await Promise.resolve();
    expect(loser.destroyed).toBe(true);
    expect(winner.destroyed).toBe(false);
    clock.advance(10_000);
    expect(started).toHaveLength(2); // no third attempt after the race was won
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('address book', () => {
  const tuning = createEngineTuning({ addressBanMs: 1_000 });

  it('resolves each name once, uses IPs as they are, and parses IPv6', async () => {
    const looked: string[] = [];
    const lookup = (host: string): Promise<{ address: string; family: number }> => {
      looked.push(host);
      return Promise.resolve({ address: '192.0.2.7', family: 4 });
    };
    const book = createAddressBook({
      addresses: parseServerAddressList('im.example.com:7000, 198.51.100.1:7000,[::1]:7001'),
      clock: new ManualClock(),
      tuning,
      lookup,
    });
    const first = await book.candidates();
    await Promise.all([book.candidates(), book.candidates()]);
    expect(looked).toEqual(['im.example.com']);
    expect(first.map((a) => [a.key, a.ip, a.family])).toEqual([
      ['im.example.com:7000', '192.0.2.7', 4],
      ['198.51.100.1:7000', '198.51.100.1', 4],
      ['[::1]:7001', '::1', 6],
    ]);
  });

  it('puts the winner first, leaves banned addresses out for a while, and never leaves nothing', async () => {
    const clock = new ManualClock();
    const book = createAddressBook({ addresses: ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], clock, tuning });
    book.recordWin('127.0.0.1:3', 20);
    book.ban('127.0.0.1:1');
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:3', '127.0.0.1:2']);
    clock.advance(1_000);
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:3', '127.0.0.1:1', '127.0.0.1:2']);
    book.ban('127.0.0.1:2');
    clock.advance(10);
    book.ban('127.0.0.1:1');
    book.ban('127.0.0.1:3');
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:1']);
  });

  it('a name that does not resolve is banned and asked again later', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const lookup = (): Promise<{ address: string; family: number }> =>
      ++calls === 1 ? Promise.reject(new Error('ENOTFOUND')) : Promise.resolve({ address: '192.0.2.9', family: 4 });
    const book = createAddressBook({ addresses: ['im.example.com:7000', '127.0.0.1:7000'], clock, tuning, lookup });
    expect((await book.candidates()).map((a) => a.key)).toEqual(['127.0.0.1:7000']);
    expect(book.isBanned('im.example.com:7000')).toBe(true);
    clock.advance(1_000);
    expect((await book.candidates()).map((a) => a.ip)).toEqual(['192.0.2.9', '127.0.0.1']);
  });

  it('refuses what is not host:port', () => {
    expect(() => parseServerAddressList('example.com')).toThrow(MagpieError);
    expect(() => parseServerAddressList('example.com:99999')).toThrow(/host:port/);
  });
});
