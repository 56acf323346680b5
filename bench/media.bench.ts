/**
 * The file service: download and upload throughput of one large file on loopback, beside nginx
 * serving (and taking by PUT) the same bytes in the same run, and the server's RSS while it
 * streams the file (it must not grow with the file's size). Smoke mode: a few MiB.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, copyFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uploadFile } from '../main/files/uploader';
import { forkMagpieServer, type BenchServer } from './support/magpie-server';
import { startNginx, type NginxPeer } from './support/nginx-peer';
import { NOT_INSTALLED } from './support/peers';
import { fmt, isSmoke, printTable, ratioHigher, type Row } from './support/table';

const MiB = 1024 * 1024;
const smoke = isSmoke();
const fileBytes = (smoke ? 4 : 100) * MiB;
const rounds = smoke ? 1 : 3;

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= MiB) {
    if (!out.write(randomBytes(Math.min(left, MiB)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** GETs a URL to the end, counting bytes; resolves with MiB/s. */
function downloadRate(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${url}: HTTP ${String(res.statusCode)}`));
      let got = 0;
      res.on('data', (chunk: Buffer) => (got += chunk.length));
      res.on('end', () => {
        if (got !== fileBytes) return reject(new Error(`${url}: ${got} of ${fileBytes} bytes`));
        resolve(got / MiB / ((performance.now() - started) / 1000));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** PUTs the file to nginx; resolves with MiB/s. */
function putRate(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { method: 'PUT', headers: { 'content-length': String(fileBytes) } }, (res) => {
      res.resume();
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${url}: HTTP ${String(res.statusCode)}`));
        resolve(fileBytes / MiB / ((performance.now() - started) / 1000));
      });
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

const best = (values: number[]) => Math.max(...values);

async function peakRssDuring<T>(server: BenchServer, work: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, (await server.stats()).rssBytes);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work();
  running = false;
  await sampler;
  return { result, peakBytes: peak };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'magpie-media-bench-'));
  const file = join(work, 'payload.bin');
  await writeRandomFile(file, fileBytes);
  const server = await forkMagpieServer({ tuning: { maxFileBytes: 200 * MiB } });
  let nginx: NginxPeer | undefined;
  try {
    nginx = await startNginx(join(work, 'nginx'));
    const base = `http://127.0.0.1:${server.httpPort}`;
    const auth = { authorization: `Bearer ${server.mediaToken}` };

    await server.gc();
    const idleRss = (await server.stats()).rssBytes;
    const uploads: number[] = [];
    let fileId = '';
    let uploadPeak = 0;
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const { result, peakBytes } = await peakRssDuring(server, () => uploadFile({ baseUrl: base, token: () => server.mediaToken, path: file, kind: 'file' }));
      uploads.push(fileBytes / MiB / ((performance.now() - started) / 1000));
      fileId = result.fileId;
      uploadPeak = Math.max(uploadPeak, peakBytes);
    }
    const downloads: number[] = [];
    let downloadPeak = 0;
    for (let i = 0; i < rounds; i++) {
      const { result, peakBytes } = await peakRssDuring(server, () => downloadRate(`${base}/files/${fileId}`, auth));
      downloads.push(result);
      downloadPeak = Math.max(downloadPeak, peakBytes);
    }

    let peerDownload = NaN;
    let peerUpload = NaN;
    if (nginx) {
      copyFileSync(file, join(nginx.servedDir, 'payload.bin'));
      const got: number[] = [];
      const put: number[] = [];
      for (let i = 0; i < rounds; i++) got.push(await downloadRate(`http://127.0.0.1:${nginx.port}/files/payload.bin`, {}));
      for (let i = 0; i < rounds; i++) put.push(await putRate(`http://127.0.0.1:${nginx.port}/uploads/p${i}.bin`, file));
      peerDownload = best(got);
      peerUpload = best(put);
    }
    const peerName = nginx ? `nginx ${nginx.version}` : 'nginx';
    const peerFigure = (v: number) => (nginx ? `${fmt(v)} MiB/s` : NOT_INSTALLED);
    const growthMiB = (Math.max(uploadPeak, downloadPeak) - idleRss) / MiB;
    const rssLimitMiB = 64;
    const rows: Row[] = [
      {
        measure: `download ${fileBytes / MiB} MiB (best of ${rounds})`,
        magpie: `${fmt(best(downloads))} MiB/s`,
        peer: peerName,
        peerFigure: peerFigure(peerDownload),
        ratio: ratioHigher(best(downloads), peerDownload),
      },
      {
        measure: `upload ${fileBytes / MiB} MiB, tus (best of ${rounds})`,
        magpie: `${fmt(best(uploads))} MiB/s`,
        peer: `${peerName} PUT`,
        peerFigure: peerFigure(peerUpload),
        ratio: ratioHigher(best(uploads), peerUpload),
      },
      {
        measure: 'server RSS growth while streaming',
        magpie: `${fmt(growthMiB, 1)} MiB`,
        target: `< ${rssLimitMiB} MiB (file ${fileBytes / MiB} MiB)`,
        met: growthMiB < rssLimitMiB,
      },
    ];
    printTable('file service on loopback', rows, [
      'upload includes the server hashing the bytes (sha256) and sniffing their type; nginx PUT only writes them',
    ]);
  } finally {
    await nginx?.stop();
    await server.stop();
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  }
}

await main();
