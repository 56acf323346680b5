import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEARNED_SERVERS_FILE, loadLearnedServers, saveLearnedServers } from '../../../../main/cli/learned-servers';

describe('the CLI profile’s advertised addresses', () => {
  it('are given back for the same --server list only, and never from a broken file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-learned-'));
    expect(loadLearnedServers(dir, ['a.example:8884'])).toEqual([]);
    saveLearnedServers(dir, ['a.example:8884', '127.0.0.1:1'], ['tls://b.example:8884']);
    expect(loadLearnedServers(dir, ['a.example:8884', '127.0.0.1:1'])).toEqual(['tls://b.example:8884']);
    expect(loadLearnedServers(dir, ['a.example:8884'])).toEqual([]);
    expect(loadLearnedServers(dir, ['127.0.0.1:1', 'a.example:8884'])).toEqual([]);
    await writeFile(join(dir, LEARNED_SERVERS_FILE), '{"servers":["a.example:8884"],"learned":[1]}');
    expect(loadLearnedServers(dir, ['a.example:8884'])).toEqual([]);
    await writeFile(join(dir, LEARNED_SERVERS_FILE), 'not json');
    expect(loadLearnedServers(dir, ['a.example:8884'])).toEqual([]);
  });
});
