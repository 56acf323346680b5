// Runs one of Magpie's TypeScript entry points fast. Its sources are bundled by esbuild (our code in
// a few files, the packages left to Node) into node_modules/.cache/magpie-bin/, and the bundle is
// used again while every source it was made of keeps its size and modification time. A command then
// starts in about half the time it takes tsx to compile and resolve each source on the way (the CLI
// is started once per command). Where the bundle cannot be made or written, tsx runs the sources.
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bundles older than this, no longer named by a manifest, are removed (a running process may still load a chunk of one). */
const STALE_BUNDLE_MS = 24 * 60 * 60 * 1000;

/**
 * Imports the entry (a path relative to root) from its bundle, made first when a source changed;
 * falls back to tsx when the bundle cannot be had.
 */
export async function importEntry(root, entry, cacheDir = join(root, 'node_modules/.cache/magpie-bin')) {
  let bundle;
  try {
    bundle = currentBundle(root, entry, cacheDir) ?? (await makeBundle(root, entry, cacheDir));
  } catch {
    bundle = undefined;
  }
  if (bundle === undefined) {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(root, entry)).href);
  }
  // stack traces name the TypeScript sources and their lines
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(bundle).href);
}

function manifestPath(entry, cacheDir) {
  return join(cacheDir, `${entry.replace(/[^A-Za-z0-9]+/g, '-')}.json`);
}

/** The bundle named by the entry's manifest, when every source it lists is as it was; else undefined. */
function currentBundle(root, entry, cacheDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(entry, cacheDir), 'utf8'));
  } catch {
    return undefined;
  }
  for (const [source, [size, mtimeMs]] of Object.entries(manifest.sources)) {
    let stat;
    try {
      stat = statSync(join(root, source));
    } catch {
      return undefined;
    }
    if (stat.size !== size || stat.mtimeMs !== mtimeMs) return undefined;
  }
  const bundle = join(cacheDir, manifest.dir, 'entry.js');
  try {
    statSync(bundle);
  } catch {
    return undefined;
  }
  return bundle;
}

/**
 * Bundles the entry into a directory of its own, then points the manifest at it (a rename, so a
 * command started meanwhile reads the old manifest or the new one, never half of one).
 */
async function makeBundle(root, entry, cacheDir) {
  const dir = `${entry.replace(/[^A-Za-z0-9]+/g, '-')}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const outdir = join(cacheDir, dir);
  const result = await build({
    entryPoints: [join(root, entry)],
    // the metafile names its inputs relative to this, whatever the command's working directory
    absWorkingDir: root,
    bundle: true,
    // a module imported only when needed (the PostgreSQL store, the image tools) stays a chunk of its own
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir,
    entryNames: 'entry',
    chunkNames: 'chunk-[hash]',
    sourcemap: true,
    // error classes and functions keep the names the logs and checks print
    keepNames: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [modulePathsKept()],
  });
  const sources = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(root, input);
    if (path.startsWith(join(root, 'node_modules'))) continue;
    const stat = statSync(path);
    sources[relative(root, path)] = [stat.size, stat.mtimeMs];
  }
  const manifest = manifestPath(entry, cacheDir);
  const partial = `${manifest}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(partial, JSON.stringify({ dir, sources }));
  renameSync(partial, manifest);
  removeStaleBundles(cacheDir, dir);
  return join(outdir, 'entry.js');
}

/** import.meta.dirname and import.meta.url keep naming each source's own place, as when it runs unbundled. */
function modulePathsKept() {
  return {
    name: 'module-paths-kept',
    setup(bundler) {
      bundler.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        let contents = await readFile(path, 'utf8');
        if (contents.includes('import.meta.')) {
          contents = contents
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(path)))
            .replaceAll('import.meta.filename', JSON.stringify(path))
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href));
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** Removes the bundles older than a day that no entry's manifest names (another entry's current one stays). */
function removeStaleBundles(cacheDir, keep) {
  const now = Date.now();
  const names = readdirSync(cacheDir);
  const named = new Set([keep]);
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      named.add(JSON.parse(readFileSync(join(cacheDir, name), 'utf8')).dir);
    } catch {
      // a manifest being replaced: its bundle is younger than a day anyway
    }
  }
  for (const name of names) {
    if (named.has(name) || name.endsWith('.json') || name.includes('.json.')) continue;
    const path = join(cacheDir, name);
    try {
      if (now - statSync(path).mtimeMs > STALE_BUNDLE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another command removed it first
    }
  }
}
