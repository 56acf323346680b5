import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createMagpieServer } from '../../../server/server';
import { dropSchema, freshSchemaUrl, MACHINE_NATS_URL } from './cluster-fixture';

it('logs the NATS URL of a cluster node without its credentials', { timeout: 30_000 }, async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'magpie-cluster-log-'));
  const database = freshSchemaUrl();
  const withSecret = MACHINE_NATS_URL.replace('nats://', 'nats://magpie:s3cret@');
  const server = createMagpieServer({
    dataDir,
    database: database.url,
    host: '127.0.0.1',
    port: 0,
    tuning: { scryptCost: 1024 },
    cluster: { natsUrl: withSecret, nodeId: 'solo', subjectPrefix: `cltest-log-${process.pid}` },
    logger: pino({ level: 'debug' }, sink),
  });
  try {
    await server.start();
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    dropSchema(database.schema);
  }
  const joined = lines.find((line) => line.includes('joined the cluster'));
  expect(joined).toContain('***@');
  expect(lines.join('')).not.toContain('s3cret');
});
