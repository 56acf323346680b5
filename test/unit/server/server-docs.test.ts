import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ErrorCodeName } from '../../../protocol';
import { DEFAULT_TUNING } from '../../../server/tuning';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/server.md'), 'utf8');

function section(heading: string): string {
  const start = doc.indexOf(`## ${heading}\n`);
  expect(start, `docs/server.md has "## ${heading}"`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 3);
  return doc.slice(start, end < 0 ? undefined : end);
}

function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()))
    .slice(1);
}

describe('docs/server.md', () => {
  it('lists every tuning value with its default, and nothing else', () => {
    const documented = Object.fromEntries(
      rows(section('Limits and defaults')).map(([name, value]) => [name!.replaceAll('`', ''), Number(value)]),
    );
    expect(documented).toEqual(DEFAULT_TUNING);
  });

  it("lists the server's codes with the values of protocol/errors.ts", () => {
    for (const [code, name] of rows(section('Codes the server uses'))) {
      expect(ErrorCode[name!.replaceAll('`', '') as ErrorCodeName], name).toBe(Number(code));
    }
  });
});
