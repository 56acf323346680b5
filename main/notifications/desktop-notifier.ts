import { appendFileSync } from 'node:fs';
import nodeNotifier from 'node-notifier';
import { createLinuxNotifier } from './linux-notifier';
import type { NotificationRequest, Notifier } from './notification-policy';

/**
 * Native notifications: on Linux notify-send run directly (linux-notifier.ts: the words never read
 * as options or markup, and a click opens the chat); elsewhere node-notifier (Notification Center,
 * toasts).
 */
export function createDesktopNotifier(options: { iconPath?: string; onError?: (error: unknown) => void } = {}): Notifier {
  if (process.platform === 'linux') return createLinuxNotifier(options);
  return {
    notify(request, onClick) {
      nodeNotifier.notify(
        { title: request.title, message: request.body, icon: options.iconPath, wait: true },
        (error, response) => {
          if (error) options.onError?.(error);
          else if (response === 'activate' || response === 'clicked') onClick();
        },
      );
    },
  };
}

/**
 * Writes each notification as a JSON line to a file: for machines with no desktop (CI) and for
 * tests that check what would have been shown.
 */
export function createFileNotifier(file: string): Notifier {
  return {
    notify(request: NotificationRequest) {
      appendFileSync(file, `${JSON.stringify({ ...request, timeMs: Date.now() })}\n`);
    },
  };
}
