import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '../../../../main/cli/main.ts');

/** Prints many lines through the CLI's real stdout and stops reading after the first chunk (| head). */
function printIntoClosedPipe(): Promise<{ code: number | null; stderr: string; aborted: string }> {
  const script = `
    const { processIo } = await import(${JSON.stringify(MAIN)});
    const io = processIo();
    let aborted = 'no';
    io.signal.addEventListener('abort', () => (aborted = 'yes'));
    for (let i = 0; i < 2000 && !io.signal.aborted; i++) {
      io.out({ line: i, text: 'x'.repeat(200) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    io.dispose();
    process.on('exit', () => process.stderr.write('aborted=' + aborted));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const aborted = /aborted=(\w+)$/.exec(stderr)?.[1] ?? '';
      resolve({ code, stderr: stderr.replace(/aborted=\w+$/, ''), aborted });
    });
  });
}

describe('the CLI when its reader goes away (magpie history | head -2)', () => {
  it('stops as on Ctrl-C and exits 0 without a stack on stderr', { timeout: 30_000 }, async () => {
    const run = await printIntoClosedPipe();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.aborted).toBe('yes');
  });
});
