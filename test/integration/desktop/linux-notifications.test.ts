import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDesktopNotifier } from '../../../main/notifications/desktop-notifier';

/**
 * The desktop notifier on Linux against a real notification server: Xvfb, a session bus of the
 * test's own, dunst, and Debian's notify-send (packages xvfb, dbus-x11, dunst, libnotify-bin).
 * What the server received is read back with dunstctl.
 */

interface Shown {
  readonly appname: string;
  readonly summary: string;
  readonly body: string;
}

/** Reads a line a child prints on stdout (Xvfb's display number, the bus address). */
async function firstLine(child: ChildProcess): Promise<string> {
  let text = '';
  for await (const chunk of child.stdout!) {
    text += String(chunk);
    if (text.includes('\n')) return text.split('\n')[0]!.trim();
  }
  throw new Error('the process ended before printing a line');
}

const processes: ChildProcess[] = [];
let env: NodeJS.ProcessEnv;
const saved = { DISPLAY: process.env['DISPLAY'], DBUS_SESSION_BUS_ADDRESS: process.env['DBUS_SESSION_BUS_ADDRESS'] };

function dunstctl(...args: string[]): string {
  return execFileSync('dunstctl', args, { env, encoding: 'utf8' });
}

/** Every notification the server holds: those on screen are closed first, so all are in its history. */
function shown(): Shown[] {
  dunstctl('close-all');
  const history = JSON.parse(dunstctl('history')) as { data: Array<Array<Record<string, { data: string }>>> };
  return history.data[0]!.map((n) => ({ appname: n['appname']!.data, summary: n['summary']!.data, body: n['body']!.data }));
}

async function until<T>(probe: () => T | undefined, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const displayedCount = () => Number(/Currently displayed:\s*(\d+)/.exec(dunstctl('count'))?.[1] ?? 0);

describe('desktop notifications on Linux (notify-send, a real notification server)', () => {
  beforeAll(async () => {
    const xvfb = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '640x480x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
    processes.push(xvfb);
    const display = `:${await firstLine(xvfb)}`;
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    processes.push(bus);
    const address = await firstLine(bus);
    env = { ...process.env, DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address };
    processes.push(spawn('dunst', [], { env, stdio: 'ignore' }));
    // asked of the bus itself: a call to the name would have the bus start a dunst of its own
    const owned = () =>
      execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.Notifications'], { env, encoding: 'utf8' });
    await until(() => (owned().includes('boolean true') ? true : undefined), 'dunst to take the bus');
    // the notifier runs notify-send with this process's environment, as the app does
    Object.assign(process.env, { DISPLAY: display, DBUS_SESSION_BUS_ADDRESS: address });
  }, 30_000);

  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    for (const child of processes.reverse()) {
      if (child.exitCode !== null) continue;
      child.kill();
      await once(child, 'exit');
    }
  });

  it('shows a message as typed: one that begins with "-" is shown, and its markup is text', async () => {
    const title = 'Al<b>ice & "co"';
    const body = '-u critical <b>bold</b> <img src="/etc/x.png"> & $HOME `id`';
    const errors: unknown[] = [];
    createDesktopNotifier({ onError: (error) => errors.push(error) }).notify({ title, body, conversation: 'u:alice' }, () => {});
    await until(() => (displayedCount() > 0 ? true : undefined), 'the notification on screen');
    const got = shown().find((n) => n.appname === 'Magpie');
    expect(errors).toEqual([]);
    expect(got?.summary).toBe(title);
    // the server got no tag to draw: the words arrive escaped, and read back as typed
    expect(got?.body).not.toMatch(/</);
    const unescaped = got!.body.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    expect(unescaped).toBe(body);
  });

  it('a click on the notification opens its chat', async () => {
    let clicked = 0;
    createDesktopNotifier().notify({ title: 'Bob', body: 'are you there?', conversation: 'u:bob' }, () => clicked++);
    await until(() => (displayedCount() > 0 ? true : undefined), 'the notification on screen');
    // the user clicks it: the server invokes its default action
    dunstctl('action', '0');
    await until(() => (clicked > 0 ? true : undefined), 'the click to reach the app');
    expect(clicked).toBe(1);
    shown();
  });
});
