import { checkFrame, encodeFrames, type Frame } from './frame';

/**
 * Merges the frames queued in one tick into one buffer for one write. Pure: the caller gives the
 * writer and the scheduler (queueMicrotask in production).
 */
export class FrameBatcher {
  private queued: Frame[] = [];
  private scheduled = false;

  constructor(
    private readonly write: (bytes: Uint8Array) => void,
    private readonly schedule: (flush: () => void) => void = queueMicrotask,
  ) {}

  get pending(): number {
    return this.queued.length;
  }

  /** Throws a MagpieError at once for a frame that cannot be encoded, rather than in the flush. */
  enqueue(frame: Frame): void {
    // a throw inside the scheduled flush would be an uncaught exception and drop the whole batch
    checkFrame(frame);
    this.queued.push(frame);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Writes everything queued now, in order, in one buffer. */
  flush(): void {
    this.scheduled = false;
    if (this.queued.length === 0) return;
    const frames = this.queued;
    this.queued = [];
    this.write(encodeFrames(frames));
  }
}
