/** What people type, short and long, Latin, Chinese and emoji: the wire benches send these in turn. */
export const CHAT_TEXTS: readonly string[] = [
  'hi',
  'ok',
  'see you at 8',
  'on my way 🚲',
  '好的，明天见',
  'Can you send me the slides from this morning?',
  '周五下午三点开会，记得带上季度报告。',
  'lol 😂😂',
  'The build is green again, I merged the fix for the login timeout.',
  '收到',
];
