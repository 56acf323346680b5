import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importEntry } from '../../../bin/bundled-entry.js';

/** The bins' launcher: a TypeScript entry bundled once, used again until a source changes. */
describe('a bundled entry', () => {
  let root: string;
  let cache: string;
  const manifest = () => JSON.parse(readFileSync(join(cache, 'src-entry-ts.json'), 'utf8')) as { dir: string; sources: Record<string, unknown> };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'magpie-bundled-entry-'));
    cache = join(root, 'cache');
    // an entry, a module it imports, and one it imports only when asked (a chunk of its own)
    const src = join(root, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'entry.ts'), "import { word } from './word';\nexport const here: string = import.meta.dirname;\nexport const said = (): string => word;\nexport const later = async (): Promise<string> => (await import('./later')).late;\n");
    writeFileSync(join(src, 'word.ts'), "export const word: string = 'one';\n");
    writeFileSync(join(src, 'later.ts'), "export const late: string = import.meta.url;\n");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs the sources, keeps each module\'s own import.meta, and bundles again only when a source changed', async () => {
    const first = await importEntry(root, 'src/entry.ts', cache);
    expect((first['said'] as () => string)()).toBe('one');
    expect(first['here']).toBe(join(root, 'src'));
    expect(await (first['later'] as () => Promise<string>)()).toBe(`file://${join(root, 'src', 'later.ts')}`);
    const made = manifest();
    expect(Object.keys(made.sources).sort()).toEqual(['src/entry.ts', 'src/later.ts', 'src/word.ts']);

    // unchanged: the same bundle
    await importEntry(root, 'src/entry.ts', cache);
    expect(manifest().dir).toBe(made.dir);

    // bundles older than a day: another entry's current one stays, one no manifest names goes
    const dayAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    for (const name of ['other-current', 'old-unnamed']) {
      mkdirSync(join(cache, name));
      utimesSync(join(cache, name), dayAgo, dayAgo);
    }
    writeFileSync(join(cache, 'other-entry-ts.json'), JSON.stringify({ dir: 'other-current', sources: {} }));

    // a source changed (same size, a later time): a new bundle with the new text
    writeFileSync(join(root, 'src', 'word.ts'), "export const word: string = 'two';\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, 'src', 'word.ts'), later, later);
    const second = await importEntry(root, 'src/entry.ts', cache);
    expect(manifest().dir).not.toBe(made.dir);
    expect((second['said'] as () => string)()).toBe('two');
    // the older bundle stays a day, as a process started from it may still load a chunk of it
    expect(readdirSync(cache).filter((name) => !name.endsWith('.json')).sort()).toEqual([made.dir, manifest().dir, 'other-current'].sort());
  });

  it('runs the sources through tsx when the bundle cannot be written', async () => {
    writeFileSync(cache, 'a file where the cache folder would be');
    const entry = await importEntry(root, 'src/entry.ts', cache);
    expect((entry['said'] as () => string)()).toBe('one');
  });
});
