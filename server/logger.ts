import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Structured logs (JSON lines) to stderr, so stdout stays free for the CLI's output. */
export function createLogger(options: { level?: LevelWithSilent; name?: string } = {}): Logger {
  return pino({ name: options.name ?? 'magpie-server', level: options.level ?? 'info' }, pino.destination(2));
}

/** A logger that drops everything: for tests and for admin commands. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
