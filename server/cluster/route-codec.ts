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

/**
 * The same frames, in order, for the sessions of many users of the receiving node (a large
 * group's pushes, Delivery.toUsersSince): the receiver encodes them once for all its sessions.
 */
export interface RoutedShared {
  readonly appId: string;
  readonly userIds: readonly string[];
  readonly minMinor: number;
  readonly frames: readonly Frame[];
}

export type RoutedItem = RoutedPush | RoutedShared;

export function isShared(item: RoutedItem): item is RoutedShared {
  return 'userIds' in item;
}

/** [frame index, appId, userId, minMinor, exceptSessionId] */
type ItemRow = [number, string, string, number, string];
/** ['m', appId, minMinor, userIds, frame indexes] */
type SharedRow = ['m', string, number, string[], number[]];

/** Frames routed between nodes are ours, sized by our own limits; this only bounds a bad message. */
const MAX_ROUTED_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * The body of one routing message: a JSON list of who gets which frames, then the frames, each
 * once, as they travel to clients. A frame many users get (a group message's notice) is carried
 * once per node, not once per user. Items keep their order (a group's pushes arrive in order).
 */
export function encodeRoutedPushes(pushes: readonly RoutedItem[]): Uint8Array {
  const frames: Frame[] = [];
  const indexOf = new Map<Frame, number>();
  const index = (frame: Frame): number => {
    let at = indexOf.get(frame);
    if (at === undefined) {
      at = frames.length;
      frames.push(frame);
      indexOf.set(frame, at);
    }
    return at;
  };
  const items: (ItemRow | SharedRow)[] = [];
  for (const push of pushes) {
    if (isShared(push)) items.push(['m', push.appId, push.minMinor, [...push.userIds], push.frames.map(index)]);
    else items.push([index(push.frame), push.appId, push.userId, push.minMinor, push.exceptSessionId]);
  }
  const header = Buffer.from(JSON.stringify(items), 'utf8');
  const body = encodeFrames(frames);
  const out = Buffer.allocUnsafe(4 + header.length + body.length);
  out.writeUInt32BE(header.length, 0);
  header.copy(out, 4);
  out.set(body, 4 + header.length);
  return out;
}

export function decodeRoutedPushes(data: Uint8Array): RoutedItem[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = bytes.readUInt32BE(0);
  const items = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as (ItemRow | SharedRow)[];
  const frames = new FrameDecoder({ maxFrameBytes: MAX_ROUTED_FRAME_BYTES }).push(bytes.subarray(4 + headerLength));
  const frameAt = (index: number): Frame => {
    const frame = frames[index];
    if (!frame) throw new RangeError(`routed push names frame ${index} of ${frames.length}`);
    return frame;
  };
  return items.map((row): RoutedItem => {
    if (row[0] === 'm') {
      const [, appId, minMinor, userIds, indexes] = row;
      return { appId, userIds, minMinor, frames: indexes.map(frameAt) };
    }
    const [index, appId, userId, minMinor, exceptSessionId] = row;
    return { appId, userId, minMinor, exceptSessionId, frame: frameAt(index) };
  });
}
