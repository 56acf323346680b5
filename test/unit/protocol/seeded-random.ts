/** A small deterministic random source (mulberry32), so every fuzz run sees the same inputs. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, below). */
  below(below: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  bytes(length: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const below = (n: number): number => Math.floor(next() * n);
  return {
    next,
    below,
    between: (min, max) => min + below(max - min + 1),
    bytes: (length) => {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = below(256);
      return out;
    },
    pick: (items) => items[below(items.length)]!,
  };
}

/** Cuts a buffer into consecutive chunks at random places (empty chunks included, as sockets never send them but a caller might). */
export function randomSplits(bytes: Uint8Array, random: SeededRandom, maxChunks = 8): Uint8Array[] {
  const cuts = Array.from({ length: random.below(maxChunks) }, () => random.below(bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}
