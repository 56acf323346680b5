import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = performance.now();
const keep = { name: 'keep', setup(b) { b.onLoad({ filter: /\.ts$/ }, async (a) => {
  let c = await readFile(a.path, 'utf8');
  if (c.includes('import.meta.')) c = c.replaceAll('import.meta.dirname', JSON.stringify(dirname(a.path))).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href));
  return { contents: c, loader: 'ts' };
}); } };
const outdir = join(root, 'node_modules/.cache/magpie-bin/' + process.env.NAME);
const r = await build({ entryPoints: [join(root, process.env.ENTRY)], bundle: true, splitting: true, outdir, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'silent', plugins: [keep], metafile: true, entryNames: 'entry', chunkNames: 'c-[hash]' });
const t1 = performance.now();
const { runCli } = await import(pathToFileURL(join(outdir, 'entry.js')).href);
const t2 = performance.now();
console.error(`bundle ${(t1-t0).toFixed(0)} ms, import ${(t2-t1).toFixed(0)} ms, inputs ${Object.keys(r.metafile.inputs).length}`);
if (process.env.RUN) process.exitCode = await runCli(process.argv.slice(2));
