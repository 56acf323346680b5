/**
 * Identifier rules shared by the server and the client.
 * User ids: ASCII letters, digits, '_' and '-'; 1-64 characters (5-20 recommended); never
 * starting with 'g', which marks group ids. Group ids: 'g' followed by letters and digits.
 */
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const GROUP_ID = /^g[A-Za-z0-9]{1,63}$/;

export const USER_ID_MAX_LENGTH = 64;

/**
 * The user an app server's messages come from when they name no sender (REST without `from`).
 * Nobody reads what is sent to it: the server refuses a SEND to it (RECIPIENT_NOT_FOUND) and the
 * app shows its chat without a composer.
 */
export const SYSTEM_USER_ID = 'system';

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

/** Bytes in a client message id. */
export const CLIENT_MSG_ID_BYTES = 16;

/**
 * A new client message id: the sender's clock in ms (6 bytes, big-endian), then 10 random bytes.
 * Unique per sender as a random id would be (80 random bits within one millisecond), and
 * time-ordered, so the server's index of (sender, id) grows at the end of each sender's range
 * instead of touching a random page per message.
 */
export function newClientMsgId(nowMs: number): Uint8Array {
  const id = new Uint8Array(CLIENT_MSG_ID_BYTES);
  globalThis.crypto.getRandomValues(id.subarray(6));
  let time = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i--) {
    id[i] = time % 256;
    time = Math.floor(time / 256);
  }
  return id;
}
