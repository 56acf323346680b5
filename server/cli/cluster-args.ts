import { redactNatsUrl } from '../cluster/nats-url';
import { clusterNameProblem } from '../cluster/cluster-config';
import { UsageError } from './usage';

/** `start --cluster`'s flags, checked. */
export interface ClusterFlags {
  readonly natsUrl: string;
  readonly nodeId: string;
  /** --cluster-name: the NATS subject prefix, for several clusters on one NATS. */
  readonly subjectPrefix?: string;
}

interface ClusterValues {
  readonly cluster?: boolean;
  readonly nats?: string;
  readonly 'node-id'?: string;
  readonly 'cluster-name'?: string;
}

/**
 * --cluster needs --db (PostgreSQL), --nats and --node-id; those flags need --cluster (a typo must not start a lone
 * server that the operator believes is a node). Undefined without --cluster.
 */
export function parseClusterFlags(values: ClusterValues, database: string | undefined): ClusterFlags | undefined {
  const nats = values.nats;
  const nodeId = values['node-id'];
  const name = values['cluster-name'];
  if (!values.cluster) {
    const stray = [nats && '--nats', nodeId && '--node-id', name && '--cluster-name'].find(Boolean);
    if (stray) throw new UsageError(`${stray} needs --cluster`);
    return undefined;
  }
  // the nodes share their data through PostgreSQL: SQLite files are one machine's, one process's
  if (database === undefined) throw new UsageError('--cluster needs --db postgres://USER@HOST:PORT/DB (the database the nodes share)');
  if (nats === undefined || nats.trim() === '') throw new UsageError('--cluster needs --nats nats://HOST:PORT');
  if (!/^(nats|tls):\/\/[^\s/]+$/.test(nats)) throw new UsageError(`--nats must be nats://HOST:PORT, not "${redactNatsUrl(nats)}"`);
  if (nodeId === undefined) throw new UsageError('--cluster needs --node-id ID (unique per node)');
  const problem = clusterNameProblem('--node-id', nodeId) ?? (name === undefined ? undefined : clusterNameProblem('--cluster-name', name));
  if (problem) throw new UsageError(problem);
  return { natsUrl: nats, nodeId, ...(name === undefined ? {} : { subjectPrefix: name }) };
}
