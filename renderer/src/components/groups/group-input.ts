/**
 * The checks the group dialogs make before sending, by the server's own rules
 * (GROUP_LIMITS, from server/groups/group-limits.ts): a value the server would refuse is named
 * beside its field, and the dialog stays open with what was typed.
 */
import { GROUP_LIMITS, hasControlCharacter } from '../../../../preload/api';

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

/** What is wrong with a group name as it would be sent (trimmed): its length counted as the server counts (UTF-16). */
export function groupNameProblem(name: string): NameProblem {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > GROUP_LIMITS.maxNameChars) return 'length';
  return hasControlCharacter(trimmed) ? 'control' : null;
}

export function announcementTooLong(text: string): boolean {
  return text.length > GROUP_LIMITS.maxAnnouncementChars;
}
