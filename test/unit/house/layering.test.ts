import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

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
afterAll(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true, maxRetries: 5 })));
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
      'protocol/errors.ts': 'export const ErrorCode = { A: 1 };\n',
      'console/page.ts': "import { ErrorCode } from '../protocol/errors';\nexport const c = ErrorCode.A;\n",
    });
    expect(result.output).not.toMatch(/error/);
    expect(result.failed).toBe(false);
  });

  // [rule, importing file, what it imports, the imported file of ours (if any)]: one tree holds
  // them all, so one run of the rules checks every one (a run takes seconds)
  const violations: Array<[rule: string, from: string, spec: string, target?: string]> = [
    ['renderer-only-contract', 'renderer/v1.ts', '../main/v1', 'main/v1.ts'],
    ['renderer-no-node', 'renderer/v2.ts', 'node:fs'],
    ['protocol-is-pure', 'protocol/v3.ts', '../server/v3', 'server/v3.ts'],
    ['main-never-imports-server', 'main/v4.ts', '../server/v4', 'server/v4.ts'],
    ['server-never-imports-client', 'server/v5.ts', '../main/v5', 'main/v5.ts'],
    ['platform-is-pure', 'platform/v6.ts', '../protocol/v6', 'protocol/v6.ts'],
    ['renderer-only-contract', 'renderer/v7.ts', '../platform/v7', 'platform/v7.ts'],
    ['only-electron-shell-imports-electron', 'main/engine/v8.ts', 'electron'],
    ['client-store-is-bottom', 'main/store/v9.ts', '../engine/v9', 'main/engine/v9.ts'],
    ['client-engine-below-client', 'main/engine/v10.ts', '../client/v10', 'main/client/v10.ts'],
    ['client-below-services', 'main/client/v11.ts', '../chat/v11', 'main/chat/v11.ts'],
    ['client-services-below-core', 'main/chat/v12.ts', '../core/v12', 'main/core/v12.ts'],
    ['client-core-below-shells', 'main/core/v13.ts', '../web/v13', 'main/web/v13.ts'],
    ['console-only-its-own', 'console/v14.ts', '../server/v14', 'server/v14.ts'],
    ['console-only-its-own', 'console/v15.ts', '../protocol/v15', 'protocol/v15.ts'],
    ['console-no-node', 'console/v16.ts', 'node:fs'],
    ['nobody-imports-console', 'server/v17.ts', '../console/v17', 'console/v17.ts'],
  ];

  let broken: Promise<{ failed: boolean; output: string }> | undefined;
  const brokenTree = () => {
    const files: Record<string, string> = {};
    for (const [, from, spec, target] of violations) {
      files[from] = `import * as m from '${spec}';\nexport const v = m;\n`;
      if (target) files[target] = 'export const t = 1;\n';
    }
    broken ??= cruise(files);
    return broken;
  };

  for (const [rule, from] of violations) {
    it(`fail on a deliberate violation of ${rule}: ${from}`, async () => {
      const result = await brokenTree();
      expect(result.failed).toBe(true);
      expect(result.output).toContain(`${rule}: ${from} →`);
    });
  }
});
