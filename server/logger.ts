import { pino, type Logger, type LevelWithSilent } from 'pino';
import { createLogDestination } from './log-destination';

/**
 * Structured logs (JSON lines) to stderr, so stdout stays free for the CLI's output. A log stream
 * that fails (a full disk under the log file) drops lines, never stops the server.
 */
export function createLogger(options: { level?: LevelWithSilent; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'magpie-server', level: options.level ?? 'info' }, createLogDestination({ fd: 2 }));
}

/** A logger that drops everything: for tests and for admin commands. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
