/**
 * Identifier rules shared by the server and the client.
 * User ids: ASCII letters, digits, '_' and '-'; 1-64 characters (5-20 recommended); never
 * starting with 'g', which marks group ids. Group ids: 'g' followed by letters and digits.
 */
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_ID = /^g[A-Za-z0-9]{1,63}$/;

export const USER_ID_MAX_LENGTH = 64;

export function isValidUserId(id: string): boolean {
  return USER_ID.test(id) && !id.startsWith('g');
}

export function isGroupId(id: string): boolean {
  return GROUP_ID.test(id);
}

/** Why a user id is refused, for error messages; undefined when it is valid. */
export function userIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'user id is empty';
  if (id.length > USER_ID_MAX_LENGTH) return `user id is longer than ${USER_ID_MAX_LENGTH} characters`;
  if (id.startsWith('g')) return "user id must not start with 'g' (group ids do)";
  if (!USER_ID.test(id)) return "user id may hold only ASCII letters, digits, '_' and '-'";
  return undefined;
}
