import { connect as netConnect, createServer, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, frameName, type Frame } from '../../protocol';

/** One frame seen on the wire, as it travelled (its body deflated when `compressed`). */
export interface TappedFrame {
  readonly direction: 'up' | 'down';
  readonly name: string;
  readonly frame: Frame;
}

/**
 * A TCP proxy on 127.0.0.1 that passes bytes unchanged and decodes the frames of both directions
 * (up: client to server, down: server to client), for tests of what actually goes on the wire.
 */
export interface FrameTap {
  readonly port: number;
  readonly address: string;
  readonly frames: readonly TappedFrame[];
  count(direction: TappedFrame['direction'], name: string): number;
  close(): Promise<void>;
}

export interface FrameTapOptions {
  /** The tap's own port (default: any free port). */
  readonly port?: number;
  /**
   * Changes what the server sends before it reaches the client (e.g. a SENT as an older server
   * wrote it); the tap then passes re-encoded frames, and records them as they left the server.
   */
  readonly rewriteDown?: (frame: Frame) => Frame;
  /**
   * Loses a frame from the server with the connection it travels on (e.g. a SENT after the server
   * stored the message): a frame this says 'cut' for is recorded, not passed, and both sockets of
   * its connection close at once (the frames before it reach the client, none after it); 'drop'
   * loses the frame alone and keeps the connection. Frames are then passed re-encoded, as with
   * rewriteDown.
   */
  readonly loseDown?: (frame: Frame) => 'pass' | 'drop' | 'cut';
}

export async function startFrameTap(targetPort: number, options: FrameTapOptions = {}): Promise<FrameTap> {
  const frames: TappedFrame[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const pipe = (from: Socket, to: Socket, direction: TappedFrame['direction']) => {
    const decoder = new FrameDecoder({ maxFrameBytes: 16 * 1024 * 1024 });
    const rewrite = direction === 'down' ? options.rewriteDown : undefined;
    const lose = direction === 'down' ? options.loseDown : undefined;
    const frameWise = rewrite !== undefined || lose !== undefined;
    from.on('data', (chunk: Buffer) => {
      if (to.destroyed) return;
      for (const frame of decoder.push(chunk)) {
        frames.push({ direction, name: frameName(frame.type) ?? `0x${frame.type.toString(16)}`, frame });
        const fate = lose?.(frame) ?? 'pass';
        if (fate === 'cut') {
          // what was written reaches the client before the close (end), nothing else does
          to.end();
          from.destroy();
          return;
        }
        if (fate === 'pass' && frameWise) to.write(encodeFrame(rewrite ? rewrite(frame) : frame));
      }
      if (!frameWise) to.write(chunk);
    });
    from.on('close', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = netConnect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    pipe(client, upstream, 'up');
    pipe(upstream, client, 'down');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    frames,
    count: (direction, name) => frames.filter((f) => f.direction === direction && f.name === name).length,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
