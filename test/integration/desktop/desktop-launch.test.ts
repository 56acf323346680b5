import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesktopApp, WINDOW_READY_LINE } from '../../../bin/desktop-launch.js';
import { deadAddress } from '../../support/dead-address';

const ROOT = join(import.meta.dirname, '../../..');

/** Collects what the launcher prints. */
function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

/**
 * `npm start`'s choice between the desktop app and the browser, with a stand-in for Electron's
 * binary (ELECTRON_OVERRIDE_DIST_PATH): a small Node script of this test's own, never Electron.
 */
describe('npm start opening the desktop app', () => {
  let dir: string;
  let standIn: string;
  let record: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-electron-standin-'));
    standIn = join(dir, 'dist');
    record = join(dir, 'argv.json');
    mkdirSync(standIn);
    // behaves as the env says: opens (prints the ready line, then quits) or fails as a binary missing a library does
    writeFileSync(
      join(standIn, 'electron'),
      `#!${process.execPath}
const { writeFileSync } = require('node:fs');
writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }));
if (process.env.STANDIN_MODE === 'crash') {
  process.stderr.write('electron: error while loading shared libraries: libnss3.so: cannot open shared object file\\n');
  process.exit(127);
}
process.stdout.write('[main] starting\\n${WINDOW_READY_LINE}\\n');
setTimeout(() => process.exit(0), 50);
`,
    );
    chmodSync(join(standIn, 'electron'), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const base = (): NodeJS.ProcessEnv => ({ PATH: process.env['PATH'] ?? '', HOME: dir });

  it('opens the desktop app where there is a display and a binary, passing the app and its args', { timeout: 20_000 }, async () => {
    const out = sink();
    const result = await openDesktopApp({
      root: ROOT,
      args: ['--flag'],
      env: { ...base(), DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: standIn, ELECTRON_RUN_AS_NODE: '1' },
      platform: 'linux',
      out,
      err: sink(),
    });
    expect(result).toEqual({ opened: true, code: 0 });
    expect(out.text).toContain('[main] starting');
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({ argv: [ROOT, '--flag'], runAsNode: null });
  });

  it('falls back, saying why, when the binary exits before its window opens', { timeout: 20_000 }, async () => {
    const result = await openDesktopApp({
      root: ROOT,
      env: { ...base(), WAYLAND_DISPLAY: 'wayland-0', ELECTRON_OVERRIDE_DIST_PATH: standIn, STANDIN_MODE: 'crash' },
      platform: 'linux',
      out: sink(),
      err: sink(),
    });
    expect(result).toMatchObject({ opened: false });
    expect((result as { reason: string }).reason).toMatch(/exited with code 127 before its window opened \(.*libnss3\.so/);
  });

  it('falls back when there is no display, without running Electron', async () => {
    rmSync(record, { force: true });
    const result = await openDesktopApp({ root: ROOT, env: { ...base(), ELECTRON_OVERRIDE_DIST_PATH: standIn }, platform: 'linux', out: sink(), err: sink() });
    expect(result).toEqual({ opened: false, reason: expect.stringMatching(/no display/) });
    expect(existsSync(record)).toBe(false);
  });

  it('lets Electron try its first-use download, and falls back with the reason when it fails', { timeout: 60_000 }, async () => {
    // a copy of the electron package without its binary, whatever this machine has: the download
    // is really tried, and goes to a dead loopback mirror, so it fails as it would offline
    const fakeRoot = join(dir, 'app');
    const pkg = join(fakeRoot, 'node_modules/electron');
    mkdirSync(pkg, { recursive: true });
    for (const file of ['package.json', 'index.js', 'install.js', 'checksums.json']) {
      copyFileSync(join(ROOT, 'node_modules/electron', file), join(pkg, file));
    }
    const mirror = `http://${await deadAddress()}/`;
    const result = await openDesktopApp({
      root: fakeRoot,
      env: {
        ...base(),
        DISPLAY: ':0',
        NODE_PATH: join(ROOT, 'node_modules'),
        ELECTRON_MIRROR: mirror,
        npm_config_electron_mirror: mirror,
        electron_config_cache: join(dir, 'cache'),
        ELECTRON_GET_NO_PROGRESS: '1',
      },
      platform: 'linux',
      out: sink(),
      err: sink(),
    });
    expect(result).toMatchObject({ opened: false });
    expect((result as { reason: string }).reason).toMatch(/Electron's binary is not here and could not be fetched \(\w*Error: .+\)/);
    expect(existsSync(join(pkg, 'path.txt'))).toBe(false);
  });
});
