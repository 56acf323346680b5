import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../../server/cli/args';
import { UsageError } from '../../../../server/cli/usage';

const DB = 'postgres://postgres@10.0.0.4:5432/magpie';

describe('magpie-server start --cluster', () => {
  it('takes the NATS URL, the node id and an optional cluster name', () => {
    expect(parseCommand(['start', '--cluster', '--db', DB, '--nats', 'nats://10.0.0.5:4222', '--node-id', 'node-1'])).toMatchObject({
      kind: 'start',
      database: DB,
      cluster: { natsUrl: 'nats://10.0.0.5:4222', nodeId: 'node-1' },
    });
    expect(parseCommand(['start', '--cluster', '--db', DB, '--nats', 'nats://n:4222', '--node-id', 'a', '--cluster-name', 'blue'])).toMatchObject({
      cluster: { subjectPrefix: 'blue' },
    });
    expect(parseCommand(['start'])).not.toHaveProperty('cluster');
  });

  it.each([
    [['start', '--cluster', '--db', DB, '--node-id', 'a'], /--cluster needs --nats/],
    [['start', '--cluster', '--nats', 'nats://n:4222', '--node-id', 'a'], /--cluster needs --db postgres/],
    [['start', '--db', 'mysql://x/y'], /--db: the database URL must start with postgres/],
    [['start', '--cluster', '--db', DB, '--nats', 'nats://n:4222'], /--cluster needs --node-id/],
    [['start', '--cluster', '--db', DB, '--nats', 'http://n:4222', '--node-id', 'a'], /--nats must be nats:\/\/HOST:PORT/],
    [['start', '--cluster', '--db', DB, '--nats', 'nats://n:4222', '--node-id', 'a.b'], /--node-id "a.b" must be 1-64 letters/],
    [['start', '--cluster', '--db', DB, '--nats', 'nats://n:4222', '--node-id', 'a', '--cluster-name', 'x>'], /--cluster-name "x>"/],
    [['start', '--nats', 'nats://n:4222'], /--nats needs --cluster/],
    [['start', '--node-id', 'a'], /--node-id needs --cluster/],
    [['user', 'list', '--app', 'P', '--cluster'], /--cluster does not apply/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
