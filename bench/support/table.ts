/**
 * The one table each benchmark prints: our figure, the peer's figure from the same run, their
 * ratio, and the target with MISSED beside it when our figure misses it.
 */
export interface Row {
  readonly measure: string;
  /** Our figure, already formatted, or a note such as "n/a". */
  readonly magpie: string;
  readonly peer?: string;
  /** The peer's figure, formatted, or why there is none ("peer not installed"). */
  readonly peerFigure?: string;
  /** Magpie ÷ peer (or the other way round for "lower is better" figures), formatted. */
  readonly ratio?: string;
  readonly target?: string;
  /** undefined: no target on this row. */
  readonly met?: boolean;
}

const HEADERS = ['measure', 'Magpie', 'peer', 'peer figure', 'ratio', 'target', ''] as const;

export function printTable(title: string, rows: readonly Row[], notes: readonly string[] = []): void {
  const cells = rows.map((r) => [
    r.measure,
    r.magpie,
    r.peer ?? '',
    r.peerFigure ?? '',
    r.ratio ?? '',
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => (i === 0 || i === 2 || i >= 5 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const ratioNote = rows.some((r) => r.ratio) ? ['ratio: how many times better Magpie\'s figure is than the peer\'s (above 1x: Magpie is better, below: the peer is)'] : [];
  const out = [title, line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ...[...notes, ...ratioNote].map((n) => `note: ${n}`)];
  process.stdout.write(`${out.join('\n')}\n`);
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

/** ours ÷ theirs as "1.23x" (for figures where higher is better). */
export function ratioHigher(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? `${(ours / theirs).toFixed(2)}x` : '';
}

/** theirs ÷ ours as "1.23x" (for latencies and sizes, where lower is better). */
export function ratioLower(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && ours > 0 ? `${(theirs / ours).toFixed(2)}x` : '';
}

export function isSmoke(): boolean {
  return process.argv.includes('--smoke');
}
