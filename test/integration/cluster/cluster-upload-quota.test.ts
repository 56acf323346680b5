import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import type { Session } from '../server/chat-fixture';
import { openClusterWorld, type ClusterWorld } from './cluster-fixture';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A tus creation without content: one unfinished upload of 1000 bytes. */
function start(session: Session, httpPort: number): Promise<Response> {
  return fetch(`http://127.0.0.1:${httpPort}/files/uploads`, {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': '1000',
      'Upload-Metadata': `kind ${b64('file')},filename ${b64('x.bin')}`,
      authorization: `Bearer ${session.login.mediaToken?.token ?? ''}`,
    },
  });
}

describe('per-user upload limits in a cluster', () => {
  let world: ClusterWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('are kept by each node for the uploads begun there (docs/server.md): a refusal on one node, the allowance of another untouched', async () => {
    world = await openClusterWorld(2, { maxUnfinishedUploadsPerUser: 2 });
    const [one, two] = world.nodes;
    const onOne = await world.login(0, 'alice01');
    const onTwo = await world.login(1, 'alice01');
    expect((await start(onOne, one!.httpPort)).status).toBe(201);
    expect((await start(onOne, one!.httpPort)).status).toBe(201);
    const refused = await start(onOne, one!.httpPort);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: ErrorCode.UPLOAD_QUOTA_EXCEEDED });
    expect((await start(onTwo, two!.httpPort)).status).toBe(201);
  });
});
