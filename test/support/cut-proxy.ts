import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between a client and the server, for tests of what the network does to
 * a connection: cut every connection (optionally mid-frame), delay or throttle the bytes, swallow
 * them (a path that silently stopped answering), or refuse new connections (a dead address).
 */
export interface CutProxy {
  readonly port: number;
  /** "127.0.0.1:PORT", as given to a client's server list. */
  readonly address: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Destroys every open connection at once; returns how many. */
  cutAll(): number;
  /**
   * Cuts every open connection in the middle of the next frame that flows client to server (or
   * server to client, whichever comes first): the receiver gets a partial frame, then the close.
   */
  cutMidFrame(): void;
  /** Every chunk waits this long before it is passed on (both directions, order kept). */
  setDelay(ms: number): void;
  /** At most this many bytes per second in each direction of each connection; undefined lifts it. */
  setThrottle(bytesPerSecond: number | undefined): void;
  /** The connections open now drop everything both ways but stay open; new ones work. */
  swallowOpen(): void;
  /** New connections are closed as soon as they arrive. */
  setRefusing(refusing: boolean): void;
  close(): Promise<void>;
}

/** Follows the length prefixes of a Magpie byte stream, to know where frames end. */
class FrameBoundaries {
  /** Bytes still to come of the frame under way, after its length prefix. */
  private remaining = 0;
  private prefixValue = 0;
  private prefixShift = 0;
  private inPrefix = false;

  advance(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.remaining > 0) {
        const step = Math.min(this.remaining, bytes.length - i);
        this.remaining -= step;
        i += step;
        continue;
      }
      const byte = bytes[i++]!;
      if (!this.inPrefix) {
        this.inPrefix = true;
        this.prefixValue = 0;
        this.prefixShift = 0;
      }
      this.prefixValue += (byte & 0x7f) * 2 ** this.prefixShift;
      this.prefixShift += 7;
      if ((byte & 0x80) === 0) {
        this.inPrefix = false;
        this.remaining = this.prefixValue;
      }
    }
  }

  /** How many leading bytes of chunk to pass on so the stream then stops inside a frame. */
  midFrameCut(chunk: Uint8Array): number {
    if (this.remaining > 0) return Math.min(Math.floor(this.remaining / 2), chunk.length);
    if (this.inPrefix) return 0;
    // at a frame boundary: pass the length prefix and half of what it announces
    let length = 0;
    let shift = 0;
    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i++]!;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return Math.min(i + Math.floor(length / 2), chunk.length - 1);
    }
    return Math.max(0, chunk.length - 1);
  }
}

interface ProxySettings {
  delayMs: number;
  bytesPerSecond: number | undefined;
}

/** One direction of one connection: keeps chunk order through delay and throttle. */
class Pump {
  private readonly queue: { bytes: Buffer; dueMs: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextFreeMs = 0;
  readonly boundaries = new FrameBoundaries();
  swallowing = false;
  cutPending = false;

  constructor(
    private readonly to: Socket,
    private readonly settings: ProxySettings,
    private readonly onCut: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.swallowing) return;
    const now = Date.now();
    const sendMs = this.settings.bytesPerSecond ? (chunk.length * 1000) / this.settings.bytesPerSecond : 0;
    const dueMs = Math.max(now + this.settings.delayMs, this.nextFreeMs);
    this.nextFreeMs = dueMs + sendMs;
    this.queue.push({ bytes: chunk, dueMs: dueMs + sendMs });
    this.drain();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private drain(): void {
    if (this.timer) return;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const wait = head.dueMs - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain();
        }, wait);
        return;
      }
      this.queue.shift();
      if (!this.forward(head.bytes)) return;
    }
  }

  /** Writes a chunk on; false when this chunk triggered a cut. */
  private forward(chunk: Buffer): boolean {
    if (this.to.destroyed) return false;
    if (this.cutPending) {
      this.cutPending = false;
      const keep = this.boundaries.midFrameCut(chunk);
      if (keep > 0) this.to.write(chunk.subarray(0, keep));
      this.stop();
      this.onCut();
      return false;
    }
    this.boundaries.advance(chunk);
    this.to.write(chunk);
    return true;
  }
}

interface ProxiedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly up: Pump;
  readonly down: Pump;
  destroy(): void;
}

export async function startCutProxy(target: { host?: string; port: number }): Promise<CutProxy> {
  const settings: ProxySettings = { delayMs: 0, bytesPerSecond: undefined };
  const connections = new Set<ProxiedConnection>();
  let accepted = 0;
  let refusing = false;

  const server: Server = createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = netConnect({ host: target.host ?? '127.0.0.1', port: target.port });
    upstream.on('error', () => undefined);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const destroy = (): void => {
      up.stop();
      down.stop();
      client.destroy();
      upstream.destroy();
      connections.delete(connection);
    };
    // a cut may flush a partial frame first: give it a moment on the wire before the reset
    const cutSoon = (): void => {
      client.end();
      upstream.end();
      setTimeout(destroy, 5);
    };
    const up = new Pump(upstream, settings, cutSoon);
    const down = new Pump(client, settings, cutSoon);
    const connection: ProxiedConnection = { client, upstream, up, down, destroy };
    connections.add(connection);
    client.on('data', (chunk: Buffer) => up.push(chunk));
    upstream.on('data', (chunk: Buffer) => down.push(chunk));
    client.on('close', destroy);
    upstream.on('close', destroy);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    address: `127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return connections.size;
    },
    cutAll() {
      const count = connections.size;
      for (const connection of [...connections]) connection.destroy();
      return count;
    },
    cutMidFrame() {
      for (const connection of connections) {
        connection.up.cutPending = true;
        connection.down.cutPending = true;
        // an idle connection has no frame to cut into: cut it whole a little later
        setTimeout(() => {
          if (connection.up.cutPending && connection.down.cutPending) connection.destroy();
        }, 50);
      }
    },
    setDelay(ms) {
      settings.delayMs = ms;
    },
    setThrottle(bytesPerSecond) {
      settings.bytesPerSecond = bytesPerSecond;
    },
    swallowOpen() {
      for (const connection of connections) {
        connection.up.swallowing = true;
        connection.down.swallowing = true;
        connection.up.stop();
        connection.down.stop();
      }
    },
    setRefusing(value) {
      refusing = value;
    },
    close() {
      for (const connection of [...connections]) connection.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
