import type { Logger } from 'pino';
import type { Clock } from '../protocol';
import { advertiseProblem } from './cluster/advertised-addresses';
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
    tuning: resolveTuning(config.tuning),
  };
}

function checkedAdvertise(addresses: readonly string[]): readonly string[] {
  const problem = advertiseProblem(addresses);
  if (problem) throw new RangeError(`advertise: ${problem}`);
  return addresses.map((text) => text.trim());
}
