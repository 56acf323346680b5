import { expect, it } from 'vitest';
import { parseCommand } from '../../../../server/cli/args';
import { redactNatsUrl } from '../../../../server/cluster/nats-url';

it('hides the credentials of a NATS URL, and leaves one without them as it is', () => {
  expect(redactNatsUrl('nats://magpie:s3cret@10.0.0.5:4222')).toBe('nats://***@10.0.0.5:4222');
  expect(redactNatsUrl('tls://t0ken@nats.example:4222')).toBe('tls://***@nats.example:4222');
  expect(redactNatsUrl('nats://a:b@n1:4222,nats://c:d@n2:4222')).toBe('nats://***@n1:4222,nats://***@n2:4222');
  expect(redactNatsUrl('nats://10.0.0.5:4222')).toBe('nats://10.0.0.5:4222');
});

it('never prints the credentials of a refused --nats', () => {
  const run = () =>
    parseCommand(['start', '--cluster', '--db', 'postgres://postgres@127.0.0.1:5432/x', '--nats', 'nats://magpie:s3cret@n:4222/path', '--node-id', 'a']);
  expect(run).toThrow(/--nats must be nats:\/\/HOST:PORT, not "nats:\/\/\*\*\*@n:4222\/path"/);
});
