import { bodyFrame, ErrorCode, isGroupId, isValidUserId, MagpieError } from '../../protocol';
import type { Handler } from '../handler-types';
import type { ChatContext } from './chat-context';

/** TYPING: forwarded to the peer's online sessions with `from` set; never stored. 1:1 only. */
export function createTypingHandler(ctx: ChatContext): Handler<'TYPING'> {
  return ({ caller, body, requestId }) => {
    if (isGroupId(body.to)) throw new MagpieError(ErrorCode.INVALID_MESSAGE, 'typing is shown in one-to-one chats only');
    if (!isValidUserId(body.to)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `"${body.to}" is not a user id`);
    if (body.to !== caller.userId) {
      ctx.delivery.toUser(caller.appId, body.to, bodyFrame('TYPING', { to: body.to, from: caller.userId, stopped: body.stopped }));
    }
    return requestId === undefined ? undefined : bodyFrame('OK', {});
  };
}
