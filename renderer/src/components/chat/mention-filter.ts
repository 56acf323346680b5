/** The @mention picker's logic: when it opens, which members it offers, and what a text mentions. */
import type { MemberView } from '../../../../preload/api';

export interface MentionQuery {
  /** Index of the '@' in the text. */
  start: number;
  query: string;
}

/** The '@word' being typed just before the caret, if any (an '@' at the start or after a space). */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([^\s@]{0,32})$/.exec(before);
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

export function memberLabel(member: MemberView): string {
  return member.card || member.nickname || member.userId;
}

/** Members whose id, nickname or group card contains the query, ignoring case; never myself. */
export function filterMentionMembers(members: readonly MemberView[], query: string, myId: string, limit = 8): MemberView[] {
  const needle = query.toLowerCase();
  const starts: MemberView[] = [];
  const contains: MemberView[] = [];
  for (const m of members) {
    if (m.userId === myId) continue;
    const fields = [m.userId, m.nickname, m.card].map((f) => f.toLowerCase());
    if (fields.some((f) => f.startsWith(needle))) starts.push(m);
    else if (fields.some((f) => f.includes(needle))) contains.push(m);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** Replaces the '@query' at `at` with '@label ' and says where the caret goes. */
export function insertMention(text: string, at: MentionQuery, label: string): { text: string; caret: number } {
  const inserted = `@${label} `;
  const end = at.start + 1 + at.query.length;
  return { text: text.slice(0, at.start) + inserted + text.slice(end), caret: at.start + inserted.length };
}

/** The users a text still mentions, from the labels picked while typing it. */
export function collectMentions(text: string, picked: ReadonlyMap<string, string>, allLabels: readonly string[]): { mentions: string[]; mentionAll: boolean } {
  const mentions = new Set<string>();
  for (const [label, userId] of picked) if (text.includes(`@${label}`)) mentions.add(userId);
  const mentionAll = allLabels.some((label) => text.includes(`@${label}`));
  return { mentions: [...mentions], mentionAll };
}
