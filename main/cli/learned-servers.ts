import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The CLI's memory of advertised addresses (docs/client.md): kept in the profile folder for the
 * --server list they were learned through, so a later command with the same --server races the
 * other nodes too. Another --server list starts from nothing.
 */
export const LEARNED_SERVERS_FILE = 'learned-servers.json';

const schema = z.object({ servers: z.array(z.string()), learned: z.array(z.string()) });

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((text, i) => text === b[i]);
}

/** The addresses learned through exactly these servers; none when the file is missing, broken or for other servers. */
export function loadLearnedServers(profileDir: string, servers: readonly string[]): string[] {
  let parsed;
  try {
    parsed = schema.safeParse(JSON.parse(readFileSync(join(profileDir, LEARNED_SERVERS_FILE), 'utf8')));
  } catch {
    return [];
  }
  return parsed.success && sameList(parsed.data.servers, servers) ? parsed.data.learned : [];
}

export function saveLearnedServers(profileDir: string, servers: readonly string[], learned: readonly string[]): void {
  const file = join(profileDir, LEARNED_SERVERS_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ servers, learned }, null, 2), { mode: 0o600 });
  renameSync(temp, file);
}
