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

/** A name's length as it would be sent (trimmed), counted as the server counts: code points, an emoji one. */
function sentChars(text: string): number {
  return textChars(text.trim());
}

/** What keeps a name (as it would be sent, trimmed) from being sent: its length out of range, or a control character. */
function nameProblem(text: string, minChars: number, maxChars: number): NameProblem {
  const chars = sentChars(text);
  if (chars < minChars || chars > maxChars) return 'length';
  return hasControlCharacter(text.trim()) ? 'control' : null;
}

/** A group name's length as it would be sent. */
export const groupNameChars = sentChars;

/** What is wrong with a group name as it would be sent (trimmed). */
export function groupNameProblem(name: string): NameProblem {
  return nameProblem(name, 1, GROUP_LIMITS.maxNameChars);
}

/** One's alias in a group as it would be sent. */
export const cardChars = sentChars;

/** What keeps an alias (trimmed) from being sent; an empty one is no problem: it clears the alias. */
export function cardProblem(card: string): NameProblem {
  return nameProblem(card, 0, GROUP_LIMITS.maxCardChars);
}

/** What keeps a group search's keyword (as it would be sent, trimmed) from being sent: nothing typed, or too long. */
export function searchKeywordProblem(keyword: string): 'empty' | 'length' | null {
  const chars = sentChars(keyword);
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
