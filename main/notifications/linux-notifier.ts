import { execFile, type ChildProcess } from 'node:child_process';
import type { Notifier } from './notification-policy';

/**
 * Desktop notifications on Linux through `notify-send`, run directly (no shell) with `--` before
 * the words, so a message that begins with "-" is shown rather than taken for an option. The
 * body is escaped: notification servers draw a subset of markup in it (<b>, <a>, <img>), and a
 * message's words are shown as typed, never as markup. The title is plain text by the
 * notification spec and goes as it is.
 *
 * A click: where notify-send has actions (--action, --wait) it waits with a default
 * action and prints "default" when the user clicks; an older notify-send refuses the flags, and
 * the notifier then shows notifications without a click from then on.
 */
export interface LinuxNotifierOptions {
  readonly iconPath?: string;
  readonly onError?: (error: unknown) => void;
  /** The program to run (tests, or a notify-send outside PATH). */
  readonly command?: string;
  /** At most this many notifications wait for a click; the oldest waiting one stops waiting. */
  readonly maxWaiting?: number;
  /** A notification no longer waits for its click after this long (some servers keep them for good). */
  readonly waitLimitMs?: number;
}

export const NOTIFY_SEND_APP_NAME = 'Magpie';

/** The body as text, never as markup: the three characters a notification server reads as markup. */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function createLinuxNotifier(options: LinuxNotifierOptions = {}): Notifier {
  const command = options.command ?? 'notify-send';
  const maxWaiting = options.maxWaiting ?? 8;
  const waitLimitMs = options.waitLimitMs ?? 10 * 60_000;
  let withActions = true;
  const waiting: ChildProcess[] = [];

  function argsFor(title: string, body: string, actions: boolean): string[] {
    return [
      `--app-name=${NOTIFY_SEND_APP_NAME}`,
      ...(options.iconPath ? [`--icon=${options.iconPath}`] : []),
      ...(actions ? ['--action=default=Open', '--wait'] : []),
      '--',
      title,
      escapeNotificationMarkup(body),
    ];
  }

  function show(title: string, body: string, onClick: () => void): void {
    const actions = withActions;
    const child = execFile(command, argsFor(title, body, actions), { timeout: actions ? waitLimitMs : 30_000 }, (error, stdout, stderr) => {
      const at = waiting.indexOf(child);
      if (at >= 0) waiting.splice(at, 1);
      if (error) {
        if (actions && /unknown option/i.test(String(stderr)) && !error.killed) {
          withActions = false;
          show(title, body, onClick);
          return;
        }
        // a wait cut short (the limit, or a newer notification taking its place) is not an error
        if (!error.killed) options.onError?.(error);
        return;
      }
      if (stdout.trim() === 'default') onClick();
    });
    if (!actions) return;
    waiting.push(child);
    if (waiting.length > maxWaiting) waiting.shift()?.kill();
  }

  return {
    notify(request, onClick) {
      show(request.title, request.body, onClick);
    },
  };
}
