import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ErrorCode, isGroupId, isValidUserId, MagpieError, newClientMsgId, pb, replaceTextControls } from '../../protocol';
import type { OutgoingContent } from '../../preload/api';
import { bodyOfWireMessage, clientMsgIdToHex, type MessageInput } from '../store';

export type SendInit = MessageInitShape<typeof pb.SendSchema>;

export interface OutgoingDraft {
  readonly clientMsgId: string;
  readonly send: SendInit;
  readonly sendBody: Uint8Array;
  readonly message: MessageInput & { readonly clientMsgId: string };
}

const MEDIA_TYPES = { voice: pb.MessageType.VOICE, image: pb.MessageType.IMAGE, file: pb.MessageType.FILE } as const;

/**
 * Builds the SEND body and the local row of a message about to be sent, under a new client id of
 * that time, or under the id given (one the page made: media.send's clientMsgId).
 */
export function buildOutgoing(selfId: string, to: string, content: OutgoingContent, nowMs: number, givenId?: Uint8Array): OutgoingDraft {
  if (!isGroupId(to) && !isValidUserId(to)) {
    throw new MagpieError(ErrorCode.INVALID_USER_ID, `not a user or group id: ${JSON.stringify(to)}`);
  }
  // the server refuses it in a group (INVALID_MESSAGE) after it was stored: refused here, never kept
  if (isGroupId(to) && content.kind === 'text' && content.burnAfterReading === true) {
    throw new MagpieError(ErrorCode.BAD_ARGUMENT, 'burn after reading is for one-to-one chats, not groups');
  }
  const id = givenId ?? newClientMsgId(nowMs);
  const send = sendInit(id, to, content);
  const wire = create(pb.SendSchema, send);
  const clientMsgId = clientMsgIdToHex(id);
  return {
    clientMsgId,
    send,
    sendBody: toBinary(pb.SendSchema, wire),
    message: {
      msgId: null,
      clientMsgId,
      conversation: to,
      from: selfId,
      to,
      outgoing: true,
      type: wire.type,
      text: wire.text,
      body: bodyOfWireMessage(wire),
      timeMs: nowMs,
      seq: null,
      timelineSeq: null,
      state: 'sending',
      mentionsMe: false,
      burnAfterReading: wire.burnAfterReading,
    },
  };
}

function sendInit(clientMsgId: Uint8Array, to: string, content: OutgoingContent): SendInit {
  switch (content.kind) {
    case 'text':
      return {
        clientMsgId,
        to,
        type: pb.MessageType.TEXT,
        // a pasted ESC or NUL would be refused (INVALID_MESSAGE) after the message was stored: sent as U+FFFD
        text: replaceTextControls(content.text),
        mentions: content.mentions ?? [],
        mentionAll: content.mentionAll ?? false,
        burnAfterReading: content.burnAfterReading ?? false,
      };
    case 'location':
      return {
        clientMsgId,
        to,
        type: pb.MessageType.LOCATION,
        location: { ...content.location, title: replaceTextControls(content.location.title), address: replaceTextControls(content.location.address) },
      };
    case 'custom':
      return {
        clientMsgId,
        to,
        type: pb.MessageType.CUSTOM,
        custom: {
          command: content.command,
          payload: new TextEncoder().encode(content.payload),
          transient: content.transient ?? false,
          silent: content.silent ?? false,
        },
      };
    case 'media':
      return { clientMsgId, to, type: MEDIA_TYPES[content.type], media: { ...content.media, size: BigInt(content.media.size) } };
    default: {
      const unreachable: never = content;
      throw new MagpieError(ErrorCode.INVALID_MESSAGE, `unknown content ${String(unreachable)}`);
    }
  }
}
