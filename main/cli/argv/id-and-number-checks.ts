import { isGroupId, isValidUserId } from '../../../protocol';
import { UsageError } from '../usage';
import type { Values } from './flags';

export function userId(flag: string, id: string, command: string): string {
  if (!isValidUserId(id)) throw new UsageError(`${flag} must be a user id (letters, digits, _ and -, not starting with "g"), not "${id}"`, command);
  return id;
}

/** A comma-separated list of user ids (a,b,c), blanks dropped; `needed`: at least one. */
export function userIdList(flag: string, text: string | undefined, command: string, needed: boolean): string[] {
  const users = (text ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  if (needed && users.length === 0) throw new UsageError(`${flag} needs at least one user id (a,b,c)`, command);
  return users.map((u) => userId(flag, u, command));
}

export function groupIdArg(id: string, command: string): string {
  if (!isGroupId(id)) throw new UsageError(`--group must be a group id (it starts with "g"), not "${id}"`, command);
  return id;
}

/** A conversation named by a user flag (--to, --with) or --group, exactly one of them. */
export function conversationTarget(user: string | undefined, group: string | undefined, userFlag: string, command: string): string {
  if ((user === undefined) === (group === undefined)) throw new UsageError(`give either ${userFlag} USER or --group GID`, command);
  if (group !== undefined) return groupIdArg(group, command);
  // a group's id where a user's goes: the flag it belongs to is named, not only the rule it broke
  if (isGroupId(user!)) throw new UsageError(`${userFlag} must be a user id, not the group id "${user!}": use --group ${user!} for a group`, command);
  return userId(userFlag, user!, command);
}

/** A server message id as listen and history print it (a client id, 32 hex, is not one yet). */
export function msgIdArg(command: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`${command} needs MSGID (the message id listen and history print)`, command);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${command}: ${JSON.stringify(text)} is not a message id (a number, as listen and history print it)`, command);
  }
  return Number(text);
}

/** The largest count, size, duration or id a flag takes: the wire's 32-bit fields hold no more. */
const MAX_FLAG_NUMBER = 0xffff_ffff;

export function wholeNumber(flag: string, text: string, command: string, min: 0 | 1): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > MAX_FLAG_NUMBER) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${MAX_FLAG_NUMBER}, not "${text}"`, command);
  }
  return value;
}

export function positiveInt(flag: string, text: string, command: string): number {
  return wholeNumber(flag, text, command, 1);
}

export function limitOf(values: Values, fallback: number, command: string): number {
  return values.limit === undefined ? fallback : positiveInt('--limit', values.limit, command);
}
