import { encodeFrames, FrameDecoder, type Frame } from '../../protocol';

/** One push a node asks another to hand to its sessions of one user. */
export interface RoutedPush {
  readonly appId: string;
  readonly userId: string;
  /** Only sessions whose protocol minor is at least this (Delivery.toUserSince); 0: every session. */
  readonly minMinor: number;
  /** The session that already has its answer (the sender's own), or ''. */
  readonly exceptSessionId: string;
  readonly frame: Frame;
}

/** [frame index, appId, userId, minMinor, exceptSessionId] */
type ItemRow = [number, string, string, number, string];

/** Frames routed between nodes are ours, sized by our own limits; this only bounds a bad message. */
const MAX_ROUTED_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * The body of one routing message: a JSON list of who gets which frame, then the frames, each
 * once, as they travel to clients. A frame many users get (a group message's notice) is carried
 * once per node, not once per user.
 */
export function encodeRoutedPushes(pushes: readonly RoutedPush[]): Uint8Array {
  const frames: Frame[] = [];
  const indexOf = new Map<Frame, number>();
  const items: ItemRow[] = [];
  for (const push of pushes) {
    let index = indexOf.get(push.frame);
    if (index === undefined) {
      index = frames.length;
      frames.push(push.frame);
      indexOf.set(push.frame, index);
    }
    items.push([index, push.appId, push.userId, push.minMinor, push.exceptSessionId]);
  }
  const header = Buffer.from(JSON.stringify(items), 'utf8');
  const body = encodeFrames(frames);
  const out = Buffer.allocUnsafe(4 + header.length + body.length);
  out.writeUInt32BE(header.length, 0);
  header.copy(out, 4);
  out.set(body, 4 + header.length);
  return out;
}

export function decodeRoutedPushes(data: Uint8Array): RoutedPush[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = bytes.readUInt32BE(0);
  const items = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as ItemRow[];
  const frames = new FrameDecoder({ maxFrameBytes: MAX_ROUTED_FRAME_BYTES }).push(bytes.subarray(4 + headerLength));
  return items.map(([index, appId, userId, minMinor, exceptSessionId]) => {
    const frame = frames[index];
    if (!frame) throw new RangeError(`routed push names frame ${index} of ${frames.length}`);
    return { appId, userId, minMinor, exceptSessionId, frame };
  });
}
