import { describe, expect, it } from 'vitest';
import { createLogDestination } from '../../../server/log-destination';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

describe('the log destination', () => {
  it('drops lines while the stream fails (a full disk), never throws, and notes how many when it works again', () => {
    const written: string[] = [];
    let failure: string | undefined;
    const retries: (() => void)[] = [];
    const destination = createLogDestination({
      fd: 99,
      writeSync: (_fd, text) => {
        if (failure) throw errno(failure);
        written.push(text);
        return Buffer.byteLength(text);
      },
      schedule: (retry) => retries.push(retry),
    });
    destination.write('one\n');
    failure = 'ENOSPC';
    expect(() => {
      destination.write('two\n');
      destination.write('three\n');
    }).not.toThrow();
    expect(destination.droppedLines).toBe(2);
    // still failing at the retry: dropped again, tried again later
    retries.shift()!();
    expect(retries).toHaveLength(1);
    failure = undefined;
    retries.shift()!();
    destination.write('four\n');
    expect(written[0]).toBe('one\n');
    expect(written[1]).toMatch(/"msg":"2 log lines dropped: the log stream failed \(ENOSPC\)"/);
    expect(written.slice(2)).toEqual(['four\n']);
  });

  it('keeps lines for a slow stream (EAGAIN) and writes them in order when it takes them', () => {
    const written: string[] = [];
    let blocked = true;
    const retries: (() => void)[] = [];
    const destination = createLogDestination({
      fd: 99,
      writeSync: (_fd, text) => {
        if (blocked) throw errno('EAGAIN');
        written.push(text);
        return Buffer.byteLength(text);
      },
      schedule: (retry) => retries.push(retry),
    });
    destination.write('a\n');
    destination.write('b\n');
    blocked = false;
    retries.shift()!();
    expect(written.join('')).toBe('a\nb\n');
    expect(destination.droppedLines).toBe(0);
  });
});
