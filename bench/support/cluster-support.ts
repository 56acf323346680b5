/**
 * What this tree's server can run, asked of its own command line: `start --db postgres://…`
 * (the PostgreSQL store) and `start --cluster … --nats … --node-id …` (NATS routing), the flags
 * of the cluster contract. A tree without them refuses the flags with a usage error; the bench then
 * runs what exists and says what it could not.
 */
import { parseCommand } from '../../server/cli/args';

export interface ClusterSupport {
  readonly postgres: boolean;
  readonly cluster: boolean;
}

const DB = 'postgres://postgres@127.0.0.1:5432/test';

function accepts(argv: readonly string[]): boolean {
  try {
    return parseCommand(argv).kind === 'start';
  } catch {
    return false;
  }
}

export function clusterSupport(): ClusterSupport {
  return {
    postgres: accepts(['start', '--db', DB]),
    cluster: accepts(['start', '--cluster', '--db', DB, '--nats', 'nats://127.0.0.1:4222', '--node-id', 'bench']),
  };
}

export const NO_POSTGRES = 'not measured: this tree has no PostgreSQL store (`start --db postgres://…` is refused)';
export const NO_CLUSTER = 'not measured: this tree has no cluster mode (`start --cluster --nats … --node-id …` is refused)';
