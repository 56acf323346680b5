import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/**
 * A server that stops normally tells its clients so (ERROR SERVER_SHUTTING_DOWN) before it closes:
 * an expected event, which the web shell's terminal shows as one info line, not a warning with a
 * stack trace.
 */
describe('a client whose server stops normally', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;

  afterEach(async () => {
    await fixture.cleanup();
    await server?.stop();
  });

  it('logs the stop as one info line without a stack, and no warning', async () => {
    server = await startTestServer();
    const lines: Record<string, unknown>[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const bob = await fixture.client(server, 'bob', { log: pino({ level: 'info' }, capture) });
    await bob.start();
    const stopped = server.stop();
    server = undefined;
    await stopped;
    const saysStopping = (line: Record<string, unknown>) => JSON.stringify(line).includes('stopping');
    await eventually(() => lines.some(saysStopping), 5_000, () => `a line about the stop in ${JSON.stringify(lines)}`);
    // the reconnect attempts that follow may come: give them a moment to say anything louder
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines.filter((line) => (line['level'] as number) >= 40)).toEqual([]);
    const stopping = lines.filter(saysStopping);
    expect(stopping).toHaveLength(1);
    expect(stopping[0]).toMatchObject({ level: 30, code: ErrorCode.SERVER_SHUTTING_DOWN });
    expect(JSON.stringify(stopping[0])).not.toContain('stack');
  });
});
