import { join } from 'node:path';
import { createLogger } from '../logger';
import { createMagpieServer } from '../server';
import type { Command } from './args';
import { createDemo, DEMO_FILE, isNewDataFolder } from './demo';

type StartCommand = Extract<Command, { kind: 'start' }>;

/**
 * Runs the server until SIGINT or SIGTERM, then stops it gracefully. Resolves with the exit code.
 * Logs go to stderr; stdout gets the demo credentials on the first start.
 */
export async function runStart(command: StartCommand, out: (text: string) => void): Promise<number> {
  const log = createLogger({ level: command.logLevel });
  const firstStart = isNewDataFolder(command.dataDir);
  const server = createMagpieServer({
    dataDir: command.dataDir,
    host: command.host,
    port: command.port,
    httpPort: command.httpPort,
    ...(command.tls ? { tls: command.tls } : {}),
    logger: log,
  });
  if (firstStart) {
    const demo = createDemo(server.identity, command.dataDir);
    out(JSON.stringify({ demo, file: join(command.dataDir, DEMO_FILE) }, null, 2));
    log.info({ file: DEMO_FILE }, 'created the demo account, app and users (alice, bob)');
  }
  let ports;
  try {
    ports = await server.start();
  } catch (error) {
    log.error({ err: error }, 'could not start');
    await server.stop();
    return 1;
  }
  out(JSON.stringify({ listening: { host: command.host, ...ports } }));

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await server.stop();
  log.flush();
  return 0;
}
