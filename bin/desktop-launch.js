// Opening the desktop app for `npm start`: find a display, let Electron fetch its binary on first
// use (electron 45 downloads it then, not at install), run it, and tell whether the window opened.
// Every way this can fail answers a reason, so start.js can fall back to the browser and say why.
import { spawn } from 'node:child_process';

/** The line the desktop app prints once its window is shown (main/electron/main.ts prints it). */
export const WINDOW_READY_LINE = 'MAGPIE_WINDOW_READY';
const PATH_MARK = 'MAGPIE_ELECTRON_PATH=';

/** Linux and the BSDs need an X or Wayland display; macOS and Windows always have one. */
export function hasDisplay(env = process.env, platform = process.platform) {
  if (platform === 'win32' || platform === 'darwin') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

function lastLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('at ') && !/^Node\.js v\d/.test(l));
  return lines.at(-1) ?? '';
}

/** The first error a failed download printed is its cause ("TypeError: fetch failed"); the rest is Electron's generic advice. */
function firstError(text) {
  return text.split('\n').map((l) => l.trim()).find((l) => /^[A-Za-z]*Error\b[^:]*: /.test(l)) ?? lastLine(text);
}

/**
 * The Electron binary's path, as `require('electron')` gives it: that require downloads the binary
 * when it is missing (or uses ELECTRON_OVERRIDE_DIST_PATH). Run in a child so a failed download
 * is a reason, not a crash, and its progress reaches the user as it happens.
 */
export function resolveElectron({ root, env = process.env, out = process.stdout, err = process.stderr }) {
  const script = `process.stdout.write('\\n${PATH_MARK}' + require('electron') + '\\n')`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      const text = chunk.toString();
      stdout += text;
      const shown = text.split('\n').filter((l) => !l.startsWith(PATH_MARK)).join('\n');
      if (shown.trim() !== '') out.write(shown);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      err.write(chunk);
    });
    child.on('error', (error) => resolve({ error: `could not run Node to find Electron (${error.message})` }));
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(PATH_MARK));
      if (code === 0 && line) return resolve({ path: line.slice(PATH_MARK.length).trim() });
      const why = firstError(stderr) || `exit code ${code}`;
      resolve({ error: `Electron's binary is not here and could not be fetched (${why})` });
    });
  });
}

/**
 * Runs Electron on the app. Opened once the app prints WINDOW_READY_LINE; an exit or a spawn error
 * before that means it could not open here (missing libraries, no GPU, a sandbox refusal...).
 */
export function launchElectron({ electronPath, root, args = [], env = process.env, out = process.stdout, err = process.stderr }) {
  const childEnv = { ...env };
  // set in a shell, it would make the binary run as plain Node instead of opening the app
  delete childEnv.ELECTRON_RUN_AS_NODE;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(electronPath, [root, ...args], { cwd: root, env: childEnv, stdio: ['inherit', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ opened: false, reason: `Electron could not be started (${error.message})` });
      return;
    }
    let ready = false;
    let pending = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      out.write(chunk);
      if (ready) return;
      pending += chunk.toString();
      if (pending.split('\n').some((l) => l.trim() === WINDOW_READY_LINE)) ready = true;
      pending = pending.slice(-200);
    });
    child.stderr.on('data', (chunk) => {
      err.write(chunk);
      if (!ready) stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', (error) => resolve({ opened: false, reason: `Electron could not be started (${error.message})` }));
    child.on('close', (code, signal) => {
      if (ready) return resolve({ opened: true, code: code ?? 1 });
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const why = lastLine(stderr);
      resolve({ opened: false, reason: `Electron ${how} before its window opened${why ? ` (${why})` : ''}` });
    });
  });
}

/** The desktop app, or the reason it cannot open here. */
export async function openDesktopApp({ root, args = [], env = process.env, platform = process.platform, out, err }) {
  if (!hasDisplay(env, platform)) return { opened: false, reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  const found = await resolveElectron({ root, env, out, err });
  if (found.error) return { opened: false, reason: found.error };
  return launchElectron({ electronPath: found.path, root, args, env, out, err });
}
