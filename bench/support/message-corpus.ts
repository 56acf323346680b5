/**
 * Deterministic chat-like messages for the client-store bench: a mix of English and Chinese words,
 * so both full-text queries have something to find. Seeded, so every run stores the same texts.
 */
const ENGLISH = (
  'the a to and you I it is for on that this we with are be at have can do not meeting tomorrow ' +
  'build release fix bug login slides report lunch coffee train late call later thanks ok sure ' +
  'deploy server client review merge branch test green red weekend plan ticket'
).split(' ');
const CHINESE = '我们 明天 开会 记得 带上 季度 报告 好的 收到 谢谢 周五 下午 三点 午饭 咖啡 晚上 回家 项目 上线 测试'.split(' ');
/** Rare words, about one message in RARE_EVERY carries one, so a query for them must search the whole index. */
const RARE = ['invoice', 'zebra', '发票', '长颈鹿'];
const RARE_EVERY = 5_000;

export function createCorpus(seed = 42) {
  let state = seed >>> 0;
  const random = () => {
    // xorshift32: fast and reproducible
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return {
    /** The text of the i-th message. */
    text(i: number): string {
      const chinese = random() < 0.4;
      const words = 3 + Math.floor(random() * 10);
      const parts: string[] = [];
      for (let w = 0; w < words; w++) parts.push(pick(chinese ? CHINESE : ENGLISH));
      if (i % RARE_EVERY === 0) parts.push(pick(RARE));
      return chinese ? parts.join('') : parts.join(' ');
    },
  };
}

/** English and Chinese queries: common words (many hits, newest 50 wanted) and rare ones. */
export const QUERIES: readonly { readonly query: string; readonly kind: string }[] = [
  { query: 'meeting', kind: 'English, common' },
  { query: 'release fix', kind: 'English, two words' },
  { query: 'invoice', kind: 'English, rare' },
  { query: '季度报告', kind: 'Chinese, common' },
  { query: '发票', kind: 'Chinese, rare' },
];
