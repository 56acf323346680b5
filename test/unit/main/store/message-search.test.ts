import { afterEach, describe, expect, it } from 'vitest';
import { makeSnippet, toIndexedText, toMatchExpression } from '../../../../main/store';
import { messageEntry, openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

const texts = [
  '今天下午三点开会', // 1
  '我们明天去北京出差', // 2
  'Magpie is a messenger written in TypeScript', // 3
  '北京的天气很好', // 4
  '会议改到周五, meeting moved to Friday', // 5
  '喜鹊(Magpie)是一种鸟', // 6
  'ＦＵＬＬＷＩＤＴＨ letters and カタカナ', // 7
];

function seed(): void {
  temp = openTempStore('alice');
  temp.store.ingest.ingestPage(
    texts.map((text, i) => messageEntry(i + 1, { msgId: i + 1, from: i % 2 ? 'bob' : 'carol', to: 'alice', text })),
  );
}

const found = (query: string, conversation?: string): number[] =>
  temp.store.search.search(query, { conversation }).map((hit) => hit.msgId!).sort();

describe('message search', () => {
  it('finds Chinese by one character', () => {
    seed();
    expect(found('会')).toEqual([1, 5]);
    expect(found('鸟')).toEqual([6]);
  });

  it('finds Chinese by two characters, adjacent only', () => {
    seed();
    expect(found('北京')).toEqual([2, 4]);
    expect(found('开会')).toEqual([1]);
    expect(found('京北')).toEqual([]);
  });

  it('finds Chinese by three and more characters', () => {
    seed();
    expect(found('去北京')).toEqual([2]);
    expect(found('今天下午三点')).toEqual([1]);
    expect(found('天气很好')).toEqual([4]);
  });

  it('finds English by word prefix, in any case, and mixed queries', () => {
    seed();
    expect(found('magpie')).toEqual([3, 6]);
    expect(found('Mag')).toEqual([3, 6]);
    expect(found('type')).toEqual([3]);
    expect(found('script')).toEqual([]); // prefix of a word, not a middle
    expect(found('meeting 周五')).toEqual([5]);
    expect(found('fullwidth')).toEqual([7]);
    expect(found('カタ')).toEqual([7]);
  });

  it('filters by conversation, pages newest first, and ignores query syntax', () => {
    seed();
    expect(found('magpie', 'bob')).toEqual([6]);
    expect(found('北京', 'carol')).toEqual([]);
    const first = temp.store.search.search('北京', { limit: 1 });
    expect(first.map((h) => h.msgId)).toEqual([4]);
    expect(temp.store.search.search('北京', { limit: 1, beforeLocalId: first[0]!.localId }).map((h) => h.msgId)).toEqual([2]);
    expect(found('"北京"')).toEqual([2, 4]);
    expect(found('NEAR( AND "')).toEqual([]);
    expect(found('  ')).toEqual([]);
    expect(found('*')).toEqual([]);
  });

  it('gives the conversation, the message and a snippet with the matches marked', () => {
    seed();
    const [hit] = temp.store.search.search('北京');
    expect(hit).toMatchObject({ conversation: 'bob', msgId: 4, from: 'bob' });
    const { text, highlights } = hit!.snippet;
    expect(text).toBe('北京的天气很好');
    expect(highlights.map((h) => text.slice(h.start, h.end))).toEqual(['北京']);
  });

  it('rebuilds the index from the messages', async () => {
    seed();
    temp.store.db.exec('DELETE FROM message_search');
    expect(found('北京')).toEqual([]);
    expect(await temp.store.search.rebuild({ chunkRows: 2 })).toBe(texts.length);
    expect(found('北京')).toEqual([2, 4]);
  });
});

describe('search text', () => {
  it('spaces CJK characters into tokens and builds safe phrases', () => {
    expect(toIndexedText('北京abc')).toBe(' 北  京 abc');
    expect(toMatchExpression('北京 magpie')).toBe('"北 京" AND "magpie"*');
    // the query's words go in folded as the index folds them
    expect(toMatchExpression('"x" OR y')).toBe('"x"* AND "or"* AND "y"*');
    expect(toMatchExpression('!!!')).toBeUndefined();
  });

  it('cuts long snippets around the first match', () => {
    const long = `${'前'.repeat(100)}目标${'后'.repeat(100)}`;
    const snippet = makeSnippet(long, '目标', 40);
    expect(snippet.text.startsWith('…')).toBe(true);
    expect(snippet.text.endsWith('…')).toBe(true);
    expect(snippet.highlights.map((h) => snippet.text.slice(h.start, h.end))).toEqual(['目标']);
  });

  it('keeps full-width punctuation and letters as typed, matching them by their folded form', () => {
    const snippet = makeSnippet('你好，世界！ＡＢＣ magpie', 'abc');
    expect(snippet.text).toBe('你好，世界！ＡＢＣ magpie');
    expect(snippet.highlights.map((h) => snippet.text.slice(h.start, h.end))).toEqual(['ＡＢＣ']);
    const chinese = makeSnippet('我们明天见，好吗？', '明天');
    expect(chinese.text).toBe('我们明天见，好吗？');
    expect(chinese.highlights.map((h) => chinese.text.slice(h.start, h.end))).toEqual(['明天']);
  });

  it('marks what the query matched, not its characters or letters wherever they stand', () => {
    const marked = (text: string, query: string) => {
      const snippet = makeSnippet(text, query, 200);
      return snippet.highlights.map((h) => snippet.text.slice(h.start, h.end));
    };
    // a Chinese word as a whole: the 备 of 准备 is no match of 装备
    expect(marked('周末一起去爬山吧，爬山的装备我来准备', '装备')).toEqual(['装备']);
    expect(marked('周末一起去爬山吧，爬山的装备我来准备', '爬山 装备')).toEqual(['爬山', '爬山', '装备']);
    // a Latin word from its start (the last one as a prefix), never inside another word
    expect(marked('The Wombat plan, not bewombed', 'wom')).toEqual(['Wom']);
    expect(marked('send an e-mail, or email', 'e-mail')).toEqual(['e-mail']);
    expect(marked('the plan, the plane, theplan', 'the-plan')).toEqual(['the plan', 'the plan']);
    expect(marked('见面wombat', 'wombat')).toEqual(['wombat']);
  });
});
