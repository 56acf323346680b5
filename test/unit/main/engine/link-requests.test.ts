import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  bodyFrame,
  DEFAULT_WIRE_LIMITS,
  encodeFrame,
  ErrorCode,
  FrameDecoder,
  ManualClock,
  requestAnswers,
  type Frame,
} from '../../../../protocol';
import { Link, type LinkSocket } from '../../../../main/engine/link';

/** A socket whose far end is the test: it sees what the link writes and answers by hand. */
class TestSocket extends EventEmitter implements LinkSocket {
  readonly sent: Frame[] = [];
  private readonly decoder = new FrameDecoder({ maxFrameBytes: DEFAULT_WIRE_LIMITS.maxFrameBytes });
  write(bytes: Uint8Array): boolean {
    this.sent.push(...this.decoder.push(bytes));
    return true;
  }
  end(): void {}
  destroy(): void {}
  answer(frame: Frame): void {
    this.emit('data', Buffer.from(encodeFrame(frame)));
  }
}

function openLink() {
  const socket = new TestSocket();
  const pushes: string[] = [];
  const link = new Link({
    socket,
    clock: new ManualClock(),
    limits: DEFAULT_WIRE_LIMITS,
    requestTimeoutMs: 1000,
    onPush: (frame) => pushes.push(frame.name),
    onClose: () => undefined,
  });
  return { socket, link, pushes };
}

const flushed = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('link requests', () => {
  it('resolves with the answer the request table names', async () => {
    const { socket, link } = openLink();
    const answer = link.request('SYNC', { afterSeq: 0n, limit: 10 });
    await flushed();
    socket.answer(bodyFrame('SYNC_PAGE', { maxSeq: 7n }, { requestId: socket.sent[0]!.requestId! }));
    const page = await answer;
    expect(page.name).toBe('SYNC_PAGE');
    expect(page.body.maxSeq).toBe(7n);
  });

  it('rejects any other answer with UNEXPECTED_FRAME and keeps the link', async () => {
    const { socket, link } = openLink();
    const answer = link.request('SEND', { to: 'bob' });
    await flushed();
    socket.answer(bodyFrame('OK', {}, { requestId: socket.sent[0]!.requestId! }));
    await expect(answer).rejects.toMatchObject({ code: ErrorCode.UNEXPECTED_FRAME, message: 'SEND answered by OK' });
    expect(link.isOpen).toBe(true);
  });

  it('rejects an ERROR answer with its own code', async () => {
    const { socket, link } = openLink();
    const answer = link.request('READERS_QUERY', { msgId: 1n });
    await flushed();
    socket.answer(bodyFrame('ERROR', { code: ErrorCode.RATE_LIMITED, message: 'slow down' }, { requestId: socket.sent[0]!.requestId! }));
    await expect(answer).rejects.toMatchObject({ code: ErrorCode.RATE_LIMITED });
  });

  it('names an answer for every request docs/protocol.md lists as one', () => {
    expect(Object.keys(requestAnswers).sort()).toEqual(
      ['AUTH_START', 'CONFIRM', 'GROUP', 'HELLO', 'LOGIN', 'LOGOUT', 'MEDIA_TOKEN', 'MUTE_UPDATE', 'PROFILE_QUERY', 'PROFILE_UPDATE', 'READ', 'READERS_QUERY', 'REVOKE', 'SEND', 'SYNC', 'TIMELINE_CONFIRM', 'TIMELINE_SYNC'].sort(),
    );
  });
});
