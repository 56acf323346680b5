import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const repoRoot = resolve(import.meta.dirname, '../../..');

/** The UI is tested as built; a fresh clone builds it once here. */
export function ensureRendererBuilt(): void {
  if (existsSync(join(repoRoot, 'out/renderer/index.html'))) return;
  const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('electron-vite build failed');
}

export interface WebApp {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `npm run web`'s program (without the build step) for one profile against a server. */
export function startWebApp(options: { server: string; profileDir: string; notifyFile?: string; language?: string }): Promise<WebApp> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'main/web/web-main.ts'), '--server', options.server, '--profile', options.profileDir],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        MAGPIE_LOG_LEVEL: 'warn',
        ...(options.notifyFile ? { MAGPIE_NOTIFY_FILE: options.notifyFile } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise<WebApp>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the web shell did not start:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolvePromise({
        url: match[0],
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web shell exited with ${code}:\n${output}`));
    });
  });
}

/** Debian's Chromium, headless, with no traffic of its own. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}
