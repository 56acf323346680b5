/**
 * The checks the group dialogs make before sending, by the server's own rules
 * (GROUP_LIMITS, from server/groups/group-limits.ts): a value the server would refuse is named
 * beside its field, and the dialog stays open with what was typed.
 */
import { GROUP_LIMITS, hasControlCharacter, textChars } from '../../../../preload/api';

/** Minutes a member may be muted for at most (30 days). */
export const MAX_MUTE_MINUTES = GROUP_LIMITS.maxMuteSeconds / 60;

/** The seconds a typed mute length stands for: whole minutes from 1 to MAX_MUTE_MINUTES, else null. */
export function muteSeconds(typed: string): number | null {
  const text = typed.trim();
  if (!/^\d+$/.test(text)) return null;
  const minutes = Number(text);
  return minutes >= 1 && minutes <= MAX_MUTE_MINUTES ? minutes * 60 : null;
}

export type NameProblem = 'length' | 'control' | null;

/** A group name's length as it would be sent (trimmed), counted as the server counts: code points, an emoji one. */
export function groupNameChars(name: string): number {
  return textChars(name.trim());
}

/** What is wrong with a group name as it would be sent (trimmed). */
export function groupNameProblem(name: string): NameProblem {
  const chars = groupNameChars(name);
  if (chars < 1 || chars > GROUP_LIMITS.maxNameChars) return 'length';
  return hasControlCharacter(name.trim()) ? 'control' : null;
}

/** One's alias in a group as it would be sent (trimmed), counted as the server counts: code points. */
export function cardChars(card: string): number {
  return textChars(card.trim());
}

/** What keeps an alias (trimmed) from being sent; an empty one is no problem: it clears the alias. */
export function cardProblem(card: string): NameProblem {
  if (cardChars(card) > GROUP_LIMITS.maxCardChars) return 'length';
  return hasControlCharacter(card.trim()) ? 'control' : null;
}

/** What keeps a group search's keyword (as it would be sent, trimmed) from being sent: nothing typed, or too long. */
export function searchKeywordProblem(keyword: string): 'empty' | 'length' | null {
  const chars = textChars(keyword.trim());
  if (chars === 0) return 'empty';
  return chars > GROUP_LIMITS.maxKeywordChars ? 'length' : null;
}

/** An announcement's length in characters as the server counts them (code points). */
export function announcementChars(text: string): number {
  return textChars(text);
}

export function announcementTooLong(text: string): boolean {
  return announcementChars(text) > GROUP_LIMITS.maxAnnouncementChars;
}

/** An application's message in characters as the server counts them (code points): an emoji is one. */
export function reasonChars(text: string): number {
  return textChars(text);
}

/**
 * The message cut to GROUP_LIMITS.maxReasonChars characters as the server counts them, never
 * inside an emoji: a field's maxlength counts UTF-16 units, and stopped an emoji text at half.
 */
export function cutReason(text: string): string {
  const max = GROUP_LIMITS.maxReasonChars;
  return reasonChars(text) <= max ? text : Array.from(text).slice(0, max).join('');
}
