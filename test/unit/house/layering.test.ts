import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.cjs');

/** Lays out a small tree in a temp folder and runs the project's own dependency rules over it. */
async function cruise(files: Record<string, string>): Promise<{ failed: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'magpie-house-'));
  dirs.push(dir);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }));
  // packages resolve exactly as in the real tree: an 'electron' import lands in node_modules/electron
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const folders = [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))];
  try {
    const { stdout } = await run(process.execPath, [depcruise, ...folders, '--config', config], { cwd: dir });
    return { failed: false, output: stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { failed: true, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('the house rules in lint', () => {
  it('pass a tree that keeps the layering', async () => {
    const result = await cruise({
      'protocol/frame.ts': 'export const x = 1;\n',
      'server/gateway.ts': "import { x } from '../protocol/frame';\nexport const y = x;\n",
      'main/engine.ts': "import { x } from '../protocol/frame';\nexport const z = x;\n",
      'preload/api.ts': 'export type Api = { a: number };\n',
      'renderer/app.ts': "import type { Api } from '../preload/api';\nexport const a: Api = { a: 1 };\n",
      'main/electron/shell.ts': "import { app } from 'electron';\nexport const e = app;\n",
      'main/core/core.ts': "import { l } from '../engine/link';\nexport const k = l;\n",
      'main/engine/link.ts': "import { d } from '../store/db';\nexport const l = d;\n",
      'main/store/db.ts': "import { x } from '../../protocol/frame';\nimport { p } from '../../platform/sqlite';\nexport const d = x + p;\n",
      'platform/sqlite.ts': 'export const p = 1;\n',
      'server/storage.ts': "import { p } from '../platform/sqlite';\nexport const s = p;\n",
    });
    expect(result.output).not.toMatch(/error/);
    expect(result.failed).toBe(false);
  });

  const violations: Array<[string, Record<string, string>]> = [
    ['renderer-only-contract', { 'main/core.ts': 'export const c = 1;\n', 'renderer/app.ts': "import { c } from '../main/core';\nexport const d = c;\n" }],
    ['renderer-no-node', { 'renderer/app.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" }],
    ['protocol-is-pure', { 'server/db.ts': 'export const db = 1;\n', 'protocol/frame.ts': "import { db } from '../server/db';\nexport const f = db;\n" }],
    ['main-never-imports-server', { 'server/db.ts': 'export const db = 1;\n', 'main/store.ts': "import { db } from '../server/db';\nexport const s = db;\n" }],
    ['server-never-imports-client', { 'main/store.ts': 'export const s = 1;\n', 'server/db.ts': "import { s } from '../main/store';\nexport const d = s;\n" }],
    ['platform-is-pure', { 'protocol/frame.ts': 'export const f = 1;\n', 'platform/sqlite.ts': "import { f } from '../protocol/frame';\nexport const p = f;\n" }],
    ['renderer-only-contract', { 'platform/sqlite.ts': 'export const p = 1;\n', 'renderer/app.ts': "import { p } from '../platform/sqlite';\nexport const a = p;\n" }],
    ['only-electron-shell-imports-electron', { 'main/engine/link.ts': "import { app } from 'electron';\nexport const a = app;\n" }],
    ['client-store-is-bottom', { 'main/engine/link.ts': 'export const l = 1;\n', 'main/store/db.ts': "import { l } from '../engine/link';\nexport const d = l;\n" }],
    ['client-engine-below-client', { 'main/client/c.ts': 'export const c = 1;\n', 'main/engine/link.ts': "import { c } from '../client/c';\nexport const l = c;\n" }],
    ['client-below-services', { 'main/chat/s.ts': 'export const s = 1;\n', 'main/client/c.ts': "import { s } from '../chat/s';\nexport const c = s;\n" }],
    ['client-services-below-core', { 'main/core/k.ts': 'export const k = 1;\n', 'main/chat/s.ts': "import { k } from '../core/k';\nexport const s = k;\n" }],
    ['client-core-below-shells', { 'main/web/w.ts': 'export const w = 1;\n', 'main/core/k.ts': "import { w } from '../web/w';\nexport const k = w;\n" }],
  ];

  for (const [rule, files] of violations) {
    it(`fail on a deliberate violation of ${rule}: ${Object.keys(files).at(-1)}`, async () => {
      const result = await cruise(files);
      expect(result.failed).toBe(true);
      expect(result.output).toContain(rule);
    });
  }
});
