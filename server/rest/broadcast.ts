import { createHash, randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, pb, SYSTEM_USER_ID, type Clock } from '../../protocol';
import { validatedContent } from '../chat/validate-send';
import { clientMsgIdOf, sendBodyOf, type MessageInput, type UploadSizeOf } from './message-input';
import type { ServiceCalls } from './service-calls';

export interface BroadcastJob {
  readonly jobId: string;
  readonly appId: string;
  readonly sender: string;
  readonly state: 'running' | 'done' | 'failed';
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly createdMs: number;
  readonly finishedMs: number | null;
  /** Why a failed job stopped: APP_OFFLINE when its app was taken offline mid-way; null otherwise. */
  readonly error: BroadcastError | null;
}

export interface BroadcastError {
  readonly code: number;
  readonly message: string;
}

export interface BroadcastJobs {
  /**
   * Stores the job and starts it; the answer does not wait for any send. With an idempotency key,
   * the sender's job of that key, if there is one, is answered instead, whatever the rest says.
   */
  start(appId: string, sender: string, message: MessageInput, recipients: readonly string[] | undefined, idempotencyKey?: string): BroadcastJob;
  get(appId: string, jobId: string): BroadcastJob;
  /** Goes on with the jobs a stopped or killed server left running. */
  resume(): void;
  /** Stops between chunks; the job stays running in the table and resume() continues it. */
  stop(): Promise<void>;
}

export interface BroadcastDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly calls: ServiceCalls;
  /** Recipients sent per chunk; each chunk is one commit, and the event loop turns between chunks. */
  readonly chunkUsers: number;
  /** The sender's uploads, for media broadcasts; absent without a file service. */
  readonly uploadSizeOf?: (appId: string, sender: string) => UploadSizeOf | undefined;
  /** Whether the app is online now (read from the database, so any process's change counts). */
  readonly appOnline: (appId: string) => boolean;
}

interface Row {
  job_id: string;
  app_id: string;
  sender: string;
  message: string;
  recipients: string | null;
  state: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  failed: number;
  cursor: string;
  error: string | null;
  created_ms: number;
  finished_ms: number | null;
}

/**
 * The job id of a broadcast with an idempotency key: the same app, sender and key give the same
 * job, for as long as the job is kept. The same form as a random id (b and 24 hex digits).
 */
function keyedJobId(appId: string, sender: string, key: string): string {
  return `b${createHash('sha256').update(`${appId}\n${sender}\n${key}`).digest('hex').slice(0, 24)}`;
}

/** How long a node's claim on a broadcast job lasts without a chunk done (PostgreSQL). */
export const BROADCAST_CLAIM_MS = 60_000;

/** How often a node on PostgreSQL looks for running jobs no node holds. */
export const BROADCAST_POLL_MS = 15_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What a job that stopped says of itself: the error it stored (a JSON {code, message}), or, for a
 * job a server failure ended (its error is the failure's text, which stays in the log), INTERNAL.
 */
function errorOf(row: Pick<Row, 'error'>): BroadcastError | null {
  if (row.error === null) return null;
  try {
    const stored = JSON.parse(row.error) as Partial<BroadcastError>;
    if (typeof stored.code === 'number' && typeof stored.message === 'string') return { code: stored.code, message: stored.message };
  } catch {
    // not JSON: the text of a failure
  }
  return { code: ErrorCode.INTERNAL, message: 'the server failed while sending: the recipients past done were not reached' };
}

/**
 * A broadcast is a job: one ordinary SEND per recipient (the same storage and push path as any
 * message: one inbox entry with a seq each, pushed to online sessions), a chunk of recipients per
 * commit with the event loop free between chunks. The job's progress is committed after each
 * chunk; a chunk cut by a crash is sent again after restart, and the per-recipient client id
 * (job id + user id) makes the second SEND answer the first one's receipt instead of storing twice.
 */
export function createBroadcastJobs(deps: BroadcastDeps): BroadcastJobs {
  const { db, clock, log, calls } = deps;
  const q = {
    // a keyed job's id is its key's: two nodes given the same retry at once store one job
    insert: db.prepare(
      `INSERT INTO broadcast_jobs (job_id, app_id, sender, message, recipients, state, total, created_ms)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?) ON CONFLICT (job_id) DO NOTHING`,
    ),
    get: db.prepare<[string], Row>('SELECT * FROM broadcast_jobs WHERE job_id = ?'),
    running: db.prepare<[], Row>("SELECT * FROM broadcast_jobs WHERE state = 'running' ORDER BY created_ms"),
    // every user but the sender and the app's system sender, which is refused as a recipient
    countUsers: db
      .prepare<[string, string, string], number>('SELECT COUNT(*) FROM users WHERE app_id = ? AND user_id <> ? AND user_id <> ?')
      .pluck(),
    usersAfter: db
      .prepare<[string, string, string, string, number], string>(
        'SELECT user_id FROM users WHERE app_id = ? AND user_id > ? AND user_id <> ? AND user_id <> ? ORDER BY user_id LIMIT ?',
      )
      .pluck(),
    progress: db.prepare('UPDATE broadcast_jobs SET done = done + ?, failed = failed + ?, cursor = ? WHERE job_id = ?'),
    finish: db.prepare('UPDATE broadcast_jobs SET state = ?, error = ?, finished_ms = ?, claimed_until_ms = NULL WHERE job_id = ?'),
    // PostgreSQL, several nodes: the node that runs a job holds a claim, renewed after each chunk
    claim: db.prepare(
      "UPDATE broadcast_jobs SET claimed_until_ms = ? WHERE job_id = ? AND state = 'running' AND (claimed_until_ms IS NULL OR claimed_until_ms <= ?)",
    ),
    // the progress of a claimed job is written only while the claim is still this node's (the
    // claim's value is its token): a node that was too slow to renew and lost the job stops
    progressClaimed: db.prepare(
      'UPDATE broadcast_jobs SET done = done + ?, failed = failed + ?, cursor = ?, claimed_until_ms = ? WHERE job_id = ? AND claimed_until_ms = ?',
    ),
    finishClaimed: db.prepare(
      'UPDATE broadcast_jobs SET state = ?, error = ?, finished_ms = ?, claimed_until_ms = NULL WHERE job_id = ? AND claimed_until_ms = ?',
    ),
    release: db.prepare('UPDATE broadcast_jobs SET claimed_until_ms = NULL WHERE job_id = ? AND claimed_until_ms = ?'),
    // the app went offline: the recipients not reached are handled, as failed, and the job ends
    stop: db.prepare(
      "UPDATE broadcast_jobs SET done = done + ?, failed = failed + ?, state = 'failed', error = ?, finished_ms = ?, claimed_until_ms = NULL WHERE job_id = ? AND state = 'running'",
    ),
    stopClaimed: db.prepare(
      "UPDATE broadcast_jobs SET done = done + ?, failed = failed + ?, state = 'failed', error = ?, finished_ms = ?, claimed_until_ms = NULL WHERE job_id = ? AND state = 'running' AND claimed_until_ms = ?",
    ),
  };
  /** PostgreSQL: the claim this node holds on each job it runs (its claimed_until_ms). */
  const claims = new Map<string, number>();
  const clustered = db.dialect === 'postgres';
  const active = new Map<string, Promise<void>>();
  let stopping = false;
  let pollTimer: NodeJS.Timeout | undefined;

  /** Takes the job for this node; false when another node runs it (PostgreSQL). */
  function claim(jobId: string): boolean {
    if (!clustered) return true;
    const now = clock.now();
    const until = now + BROADCAST_CLAIM_MS;
    if (q.claim.run(until, jobId, now).changes !== 1) return false;
    claims.set(jobId, until);
    return true;
  }

  /** Ends the job as done or failed; false when another node holds it now (PostgreSQL). */
  function finish(jobId: string, state: 'done' | 'failed', error: string | null): boolean {
    if (!clustered) return q.finish.run(state, error, clock.now(), jobId).changes === 1;
    return q.finishClaimed.run(state, error, clock.now(), jobId, claims.get(jobId) ?? -1).changes === 1;
  }

  function toJob(row: Row): BroadcastJob {
    return {
      jobId: row.job_id,
      appId: row.app_id,
      sender: row.sender,
      state: row.state,
      total: row.total,
      done: row.done,
      failed: row.failed,
      createdMs: row.created_ms,
      finishedMs: row.finished_ms,
      error: errorOf(row),
    };
  }

  /**
   * Ends the job of an app taken offline (or deleted) before its next chunk: every recipient not
   * reached yet counts as failed, and the job says why. A chunk already sent stays sent.
   */
  function stopForOfflineApp(jobId: string): void {
    const row = q.get.get(jobId)!;
    const unreached = Math.max(0, row.total - row.done);
    const error: BroadcastError = {
      code: ErrorCode.APP_OFFLINE,
      message: `app ${row.app_id} was taken offline: the broadcast stopped, and the ${unreached} recipients it had not reached are counted as failed`,
    };
    const stopped = clustered
      ? q.stopClaimed.run(unreached, unreached, JSON.stringify(error), clock.now(), jobId, claims.get(jobId) ?? -1)
      : q.stop.run(unreached, unreached, JSON.stringify(error), clock.now(), jobId);
    if (stopped.changes === 1) log.info({ jobId, appId: row.app_id, unreached }, 'broadcast stopped: its app was taken offline');
  }

  /** The next chunk after the cursor: a list index, or the last user id (every user, by id). */
  function nextChunk(row: Row, cursor: string): { users: string[]; cursor: string } {
    if (row.recipients !== null) {
      const list = JSON.parse(row.recipients) as string[];
      const from = cursor === '' ? 0 : Number(cursor);
      const users = list.slice(from, from + deps.chunkUsers);
      return { users, cursor: String(from + users.length) };
    }
    const users = q.usersAfter.all(row.app_id, cursor, row.sender, SYSTEM_USER_ID, deps.chunkUsers);
    return { users, cursor: users.at(-1) ?? cursor };
  }

  async function run(jobId: string): Promise<void> {
    const row = q.get.get(jobId)!;
    const message = JSON.parse(row.message) as MessageInput;
    let cursor = row.cursor;
    for (;;) {
      if (stopping) return;
      // checked per chunk: a chunk's sends go out together, in one commit
      if (!deps.appOnline(row.app_id)) {
        stopForOfflineApp(jobId);
        return;
      }
      const chunk = nextChunk(row, cursor);
      if (chunk.users.length === 0) break;
      // every SEND of the chunk joins the same write batch: one commit for the chunk
      const outcomes = await Promise.allSettled(
        chunk.users.map((user) =>
          calls.send(row.app_id, row.sender, sendBodyOf(message, user, clientMsgIdOf(`${jobId}:${user}`, clock.now()), deps.uploadSizeOf?.(row.app_id, row.sender))),
        ),
      );
      const failed = outcomes.filter((outcome) => outcome.status === 'rejected').length;
      if (failed > 0) log.warn({ jobId, failed }, 'broadcast: some recipients were refused');
      if (clustered) {
        const until = clock.now() + BROADCAST_CLAIM_MS;
        if (q.progressClaimed.run(chunk.users.length, failed, chunk.cursor, until, jobId, claims.get(jobId) ?? -1).changes !== 1) {
          // the claim ran out and another node took the job over from the committed cursor
          log.warn({ jobId }, 'broadcast: another node took the job over; stopping here');
          return;
        }
        claims.set(jobId, until);
      } else {
        q.progress.run(chunk.users.length, failed, chunk.cursor, jobId);
      }
      cursor = chunk.cursor;
      await nextTurn();
    }
    if (finish(jobId, 'done', null)) log.info({ jobId }, 'broadcast done');
  }

  function launch(jobId: string): void {
    if (active.has(jobId) || !claim(jobId)) return;
    const running = run(jobId)
      .catch((error: unknown) => {
        log.error({ err: error, jobId }, 'broadcast failed');
        try {
          finish(jobId, 'failed', String(error));
        } catch (failure) {
          log.warn({ err: failure, jobId }, 'broadcast: could not record the failure');
        }
      })
      .finally(() => {
        active.delete(jobId);
        // stopped midway: another node (or this one, restarted) goes on from the cursor
        try {
          if (clustered && stopping && db.open) q.release.run(jobId, claims.get(jobId) ?? -1);
        } catch (error) {
          log.warn({ err: error, jobId }, 'broadcast: could not release the job; its claim runs out');
        }
        claims.delete(jobId);
      });
    active.set(jobId, running);
  }

  return {
    start(appId, sender, message, recipients, idempotencyKey) {
      const jobId = idempotencyKey === undefined ? `b${randomBytes(12).toString('hex')}` : keyedJobId(appId, sender, idempotencyKey);
      // a repeat is answered before any check: the message it names may be gone by now
      const earlier = idempotencyKey === undefined ? undefined : q.get.get(jobId);
      if (earlier !== undefined) return toJob(earlier);
      // refused at once, not recipient by recipient: each SEND is one-to-one, checked as SEND checks it
      const body = sendBodyOf(message, sender, clientMsgIdOf('check', 0), deps.uploadSizeOf?.(appId, sender));
      validatedContent(create(pb.SendSchema, body), false);
      const unique = recipients === undefined ? undefined : [...new Set(recipients)].filter((user) => user !== sender);
      const total = unique?.length ?? q.countUsers.get(appId, sender, SYSTEM_USER_ID) ?? 0;
      const stored = q.insert.run(jobId, appId, sender, JSON.stringify(message), unique === undefined ? null : JSON.stringify(unique), total, clock.now());
      if (stored.changes === 1) launch(jobId);
      return toJob(q.get.get(jobId)!);
    },
    get(appId, jobId) {
      const row = q.get.get(jobId);
      if (!row || row.app_id !== appId) throw new MagpieError(ErrorCode.REST_NOT_FOUND, `no broadcast ${jobId} in app ${appId}`);
      return toJob(row);
    },
    resume() {
      stopping = false;
      const resumeAll = () => {
        for (const row of q.running.all()) launch(row.job_id);
      };
      resumeAll();
      // PostgreSQL: jobs of a node that died are taken over once their claim runs out
      if (clustered) {
        pollTimer = setInterval(() => {
          if (stopping || !db.open) return;
          try {
            resumeAll();
          } catch (error) {
            // a lost database connection: logged, never thrown out of the timer
            log.warn({ err: error }, 'broadcast jobs could not be read; trying again later');
          }
        }, BROADCAST_POLL_MS);
        pollTimer.unref();
      }
    },
    async stop() {
      stopping = true;
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = undefined;
      await Promise.allSettled([...active.values()]);
    },
  };
}
