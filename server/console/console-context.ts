import type { RestContext } from '../rest/rest-context';
import type { AppStats } from './app-stats';
import type { ConsoleGuard } from './console-guard';
import type { ConsoleSessions } from './console-sessions';
import type { ConsoleSignIn } from './console-sign-in';
import type { TestPushLimit } from './test-push-limit';

/** What the console's routes share: the REST API's own context (so rights are checked once) and the console's session parts. */
export interface ConsoleContext {
  readonly rest: RestContext;
  readonly sessions: ConsoleSessions;
  readonly signIn: ConsoleSignIn;
  readonly guard: ConsoleGuard;
  readonly stats: AppStats;
  readonly testPushLimit: TestPushLimit;
}
