/**
 * The documented rules for user ids (DESIGN "Arbitrary user ids"), checked as they are typed so a
 * bad id is named before anything is sent: ASCII letters, digits, '_' and '-', 1 to 64 of them,
 * not starting with 'g' (group ids do).
 */
export const USER_ID_MAX = 64;

export type UserIdProblem = 'empty' | 'tooLong' | 'characters' | 'groupPrefix';

export function userIdProblem(id: string): UserIdProblem | null {
  if (id.length === 0) return 'empty';
  if (id.length > USER_ID_MAX) return 'tooLong';
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return 'characters';
  if (id.startsWith('g')) return 'groupPrefix';
  return null;
}

/** The first id of a list that breaks the rules, with why; null when all are fine. */
export function firstBadUserId(ids: readonly string[]): { id: string; problem: UserIdProblem } | null {
  for (const id of ids) {
    const problem = userIdProblem(id);
    if (problem) return { id, problem };
  }
  return null;
}

/**
 * The ids of a list typed as the fields say, "comma separated": split on commas only (ASCII ',' and
 * the Chinese '，' and '、'), each trimmed, empty parts and repeats dropped. A space inside a part
 * keeps it one id, which the rules then name whole ("bad id!"), rather than taking "bad" for
 * another id the user never meant.
 */
export function splitUserIds(text: string): string[] {
  return [...new Set(text.split(/[,，、]/u).map((s) => s.trim()).filter(Boolean))];
}
