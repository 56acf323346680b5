import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeIdTakenError } from '../cluster/cluster-node';
import { NatsUnreachableError } from '../cluster/nats-link';
import { ErrorCode, isMagpieError } from '../../protocol';
import { createLogger } from '../logger';
import { DEMO_FILE, nodePidFile, PID_FILE } from '../storage/data-folder-files';
import { createMagpieServer } from '../server';
import type { Command } from './args';
import { databaseMessage, dataFolderMessage, isDatabaseError, isDataFolderError } from './data-folder-error';
import { createDemoOnce } from './demo';
import { ExitCode } from './exit-codes';
import { hostProblem, hostUnusable } from './host-check';
import { tlsFilesProblem } from './tls-files';

type StartCommand = Extract<Command, { kind: 'start' }>;

/**
 * Runs the server until SIGINT or SIGTERM, then stops it gracefully. Resolves with the exit code.
 * Logs go to stderr; stdout gets the demo credentials on the first start.
 */
export async function runStart(
  command: StartCommand,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  // stdout and stderr may sit on a full disk or a closed pipe: losing a line must not end the server
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const tlsProblem = command.tls ? tlsFilesProblem(command.tls) : undefined;
  if (tlsProblem !== undefined) {
    // a file the user named is a bad argument, said in one line before anything is made or opened
    err(`magpie-server: ${tlsProblem}`);
    return ExitCode.USAGE;
  }
  const badHost = hostProblem(command.host);
  if (badHost !== undefined) {
    err(`magpie-server: ${badHost}`);
    return ExitCode.USAGE;
  }
  // before the data folder is made: a start that cannot listen must leave no new folder behind
  const unusableHost = await hostUnusable(command.host);
  if (unusableHost !== undefined) {
    err(`magpie-server: could not start: --host ${command.host}: ${unusableHost}`);
    return ExitCode.FAILED;
  }
  const log = createLogger({ level: command.logLevel });
  let server;
  try {
    server = createMagpieServer({
      dataDir: command.dataDir,
      ...(command.database === undefined ? {} : { database: command.database }),
      host: command.host,
      port: command.port,
      httpPort: command.httpPort,
      advertise: command.advertise,
      ...(command.cluster ? { cluster: command.cluster } : {}),
      ...(command.tls ? { tls: command.tls } : {}),
      logger: log,
    });
  } catch (error) {
    if (isDatabaseError(error)) {
      err(`magpie-server: ${databaseMessage(error)}`);
      return ExitCode.DATABASE;
    }
    if (isMagpieError(error) && (error.code === ErrorCode.SERVER_KEY_MISMATCH || error.code === ErrorCode.DATABASE_MISSING)) {
      // another folder than the database's, or a used folder whose database is gone: nothing listens
      err(`magpie-server: ${error.message}`);
      return ExitCode.DATA_FOLDER;
    }
    if (!isDataFolderError(error)) throw error;
    err(`magpie-server: ${dataFolderMessage(command.dataDir, error)}`);
    return ExitCode.DATA_FOLDER;
  }
  // a demo app's token printed on stdout is fine on a developer's machine, never on a real server:
  // made on a server with no main account yet, so also by the start after a first one killed early
  if (command.demo) {
    let demo;
    try {
      demo = createDemoOnce(server.db, server.identity, command.dataDir);
    } catch (error) {
      await server.stop();
      if (!isDataFolderError(error)) throw error;
      err(`magpie-server: ${dataFolderMessage(command.dataDir, error)}`);
      return ExitCode.DATA_FOLDER;
    }
    if (demo !== undefined) {
      out(JSON.stringify({ demo, file: join(command.dataDir, DEMO_FILE) }, null, 2));
      log.info({ file: DEMO_FILE }, 'created the demo account, app and users (alice, bob)');
    }
  }
  let ports;
  try {
    ports = await server.start();
  } catch (error) {
    if (error instanceof NodeIdTakenError) {
      // a configuration mistake: one line; restarting would meet the same running node
      err(`magpie-server: ${error.message}`);
      await server.stop();
      return ExitCode.FAILED;
    }
    if (error instanceof NatsUnreachableError) {
      // like an unreachable database: one line, and the exit code a supervisor retries on
      err(`magpie-server: ${error.message}`);
      await server.stop();
      return ExitCode.DATABASE;
    }
    // one line for people (docs/server.md, exit 1); the stack only for who asks for debug logs
    log.debug({ err: error }, 'could not start');
    err(`magpie-server: could not start: ${(error as Error).message}`);
    await server.stop();
    return ExitCode.FAILED;
  }
  // PostgreSQL: a lost connection ends the node on purpose (exit 4) for its supervisor to restart.
  // The handlers are in place before the listening line: a supervisor that stops the server as
  // soon as it reads that line gets a graceful stop (exit 0), not a death by the signal.
  const stopped = new Promise<Error | undefined>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(undefined);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    server.onDatabaseLost((error) => resolve(error));
  });
  // before the listening line: whoever reads that line finds the pid file
  const pidFile = writePidFile(command.dataDir, command.cluster ? nodePidFile(command.cluster.nodeId) : PID_FILE, log);
  out(JSON.stringify({ listening: { host: command.host, ...ports } }));
  const lost = await stopped;
  if (lost !== undefined) {
    err(`magpie-server: lost the database connection (${lost.message.split('\n')[0]!.trim()}); exiting for a restart`);
    try {
      await server.stop();
    } catch {
      // what is in flight fails with the connection; the node exits all the same
    }
    removePidFile(pidFile);
    log.flush();
    return ExitCode.DATABASE;
  }
  await server.stop();
  removePidFile(pidFile);
  log.flush();
  return ExitCode.OK;
}

function writePidFile(dataDir: string, name: string, log: { warn: (o: object, m: string) => void }): string | undefined {
  const file = join(dataDir, name);
  try {
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
    return file;
  } catch (error) {
    log.warn({ err: error, file }, 'could not write the pid file');
    return undefined;
  }
}

/** Removed only while it still names this process (a later server on the folder may have replaced it). */
function removePidFile(file: string | undefined): void {
  if (file === undefined) return;
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // gone already
  }
}
