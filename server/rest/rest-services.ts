import { createSharedReplays } from './rest-replays';
import type { FastifyPluginAsync } from 'fastify';
import type { SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import type { Clock } from '../../protocol';
import type { AccessControl } from '../access/access-control';
import type { SessionRegistry } from '../gateway/sessions';
import type { FileService } from '../files';
import type { HandlerTable } from '../handler-types';
import type { Identity } from '../identity/identity';
import type { UserStore } from '../identity/users';
import type { PushSettings } from '../push/push-settings';
import type { Tuning } from '../tuning';
import { createBroadcastJobs, type BroadcastJobs } from './broadcast';
import { createHistoryStore } from './history';
import { createRestAuth } from './rest-auth';
import { uploadSizeOf, type RestContext } from './rest-context';
import type { UnroutedAnswer } from '../http/http-server';
import { answerRestUnrouted, createRestPlugin } from './rest-plugin';
import { createServiceCalls } from './service-calls';

export interface RestServicesDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
  readonly identity: Identity;
  readonly users: UserStore;
  readonly sessions: SessionRegistry;
  readonly access: AccessControl;
  readonly handlers: HandlerTable;
  readonly pushSettings: PushSettings;
  readonly files?: Pick<FileService, 'ingest' | 'records'>;
  readonly onRefused?: () => void;
}

export interface RestServices {
  readonly plugin: FastifyPluginAsync;
  /** How the listener answers a request no route took, in the REST API's error shape on its paths. */
  readonly unrouted: UnroutedAnswer;
  readonly broadcasts: BroadcastJobs;
  /** What the routes share: the developer console acts through the same context. */
  readonly context: RestContext;
}

/** The REST API's parts, built on the server's own services. */
export function createRestServices(deps: RestServicesDeps): RestServices {
  const { tuning } = deps;
  const calls = createServiceCalls({ handlers: deps.handlers, maxBodyBytes: tuning.maxBodyBytes });
  const broadcasts = createBroadcastJobs({
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    calls,
    chunkUsers: tuning.broadcastChunkUsers,
    uploadSizeOf: (appId, sender) => uploadSizeOf(deps.files, appId, sender),
    appOnline: (appId) => deps.identity.getApp(appId)?.state === 'online',
  });
  const auth = createRestAuth({
    identity: deps.identity,
    clock: deps.clock,
    signatureWindowMs: tuning.restSignatureWindowMs,
    utcOffsetMinutes: tuning.md5TimestampUtcOffsetMinutes,
    maxRefusals: tuning.restMaxRefusals,
    refusalWindowMs: tuning.restRefusalWindowMs,
    ...(deps.onRefused ? { onRefused: deps.onRefused } : {}),
    ...(deps.db.dialect === 'postgres' ? { sharedReplays: createSharedReplays(deps.db) } : {}),
  });
  const context: RestContext = {
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    tuning,
    identity: deps.identity,
    users: deps.users,
    sessions: deps.sessions,
    access: deps.access,
    calls,
    files: deps.files,
    broadcasts,
    history: createHistoryStore(deps.db),
    pushSettings: deps.pushSettings,
  };
  const plugin = createRestPlugin({ ...context, auth });
  return { plugin, unrouted: answerRestUnrouted(deps.log), broadcasts, context };
}
