import type { Logger } from 'pino';
import type { Clock } from '../protocol';
import { advertiseProblem } from './cluster/advertised-addresses';
import { clusterNameProblem, type ClusterConfig } from './cluster/cluster-config';
import { redactNatsUrl } from './cluster/nats-url';
import { resolveTuning, type Tuning } from './tuning';

export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  /** The TLS listener's port; 0 picks a free one. */
  readonly port: number;
}

/** What createMagpieServer needs. Everything but dataDir has a default. */
export interface ServerConfig {
  readonly dataDir: string;
  readonly host?: string;
  /** The plain TCP listener's port; 0 picks a free one. */
  readonly port?: number;
  readonly tls?: TlsConfig;
  /** The HTTP listener's port (file service, REST API, /healthz, /metrics); absent: no HTTP listener; 0 picks a free one. */
  readonly httpPort?: number;
  /** More addresses of this service for clients to race (--advertise; docs/server.md); none by default. */
  readonly advertise?: readonly string[];
  /** A PostgreSQL URL (postgres://USER@HOST:PORT/DB[?schema=NAME]); absent: SQLite in dataDir. */
  readonly database?: string;
  /** Run as a node of a cluster (NATS routing between nodes; docs/server.md "Cluster mode"). */
  readonly cluster?: ClusterConfig;
  readonly tuning?: Partial<Tuning>;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8883;
export const DEFAULT_TLS_PORT = 8884;
/** `start`'s HTTP port: 8884 is the TLS listener's default, so the file service takes the next. */
export const DEFAULT_HTTP_PORT = 8885;
export const DEFAULT_DATA_DIR = './magpie-data';

export interface ResolvedConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly tls: TlsConfig | undefined;
  readonly httpPort: number | undefined;
  readonly advertise: readonly string[];
  readonly cluster: ClusterConfig | undefined;
  readonly tuning: Tuning;
}

export function resolveConfig(config: ServerConfig): ResolvedConfig {
  return {
    dataDir: config.dataDir,
    host: config.host ?? DEFAULT_HOST,
    port: config.port ?? DEFAULT_PORT,
    tls: config.tls,
    httpPort: config.httpPort,
    advertise: checkedAdvertise(config.advertise ?? []),
    cluster: checkedCluster(config.cluster),
    tuning: resolveTuning(config.tuning),
  };
}

function checkedAdvertise(addresses: readonly string[]): readonly string[] {
  const problem = advertiseProblem(addresses);
  if (problem) throw new RangeError(`advertise: ${problem}`);
  return addresses.map((text) => text.trim());
}

function checkedCluster(cluster: ClusterConfig | undefined): ClusterConfig | undefined {
  if (!cluster) return undefined;
  const problem =
    clusterNameProblem('node id', cluster.nodeId) ??
    (cluster.subjectPrefix === undefined ? undefined : clusterNameProblem('cluster name', cluster.subjectPrefix));
  if (problem) throw new RangeError(`cluster: ${problem}`);
  if (!/^(nats|tls):\/\/[^\s]+$/.test(cluster.natsUrl)) throw new RangeError(`cluster: "${redactNatsUrl(cluster.natsUrl)}" is not a NATS URL (nats://host:port)`);
  return cluster;
}
