import { create } from '@bufbuild/protobuf';
import { codePointLabel, controlCharacterName, encodeMessage, ErrorCode, forbiddenTextControl, hasControlCharacter, isValidUserId, MagpieError, pb, textChars } from '../../protocol';
import { CONTENT_LIMITS as L } from './content-limits';

/** A SEND's content as stored: the message and its encoding, which the checks have bounded. */
export interface ValidatedContent {
  readonly content: pb.Message;
  readonly encoded: Uint8Array;
}

/**
 * Checks a SEND's content against the limits and returns what is stored: the content fields
 * only, each type carrying just its own parts, each part rebuilt from the fields the proto names
 * (unknown fields would be stored and delivered as they came). Who, where and when come from the server.
 */
export function validatedContent(send: pb.Send, toGroup: boolean): ValidatedContent {
  const content = checkedContent(send, toGroup);
  const encoded = encodeMessage(content);
  // the parts' limits already keep it far below; this bounds what a recipient is ever sent
  if (encoded.length > L.maxStoredMessageBytes) {
    throw new MagpieError(ErrorCode.PAYLOAD_TOO_LARGE, `the message encodes to more than ${L.maxStoredMessageBytes} bytes`);
  }
  return { content, encoded };
}

function checkedContent(send: pb.Send, toGroup: boolean): pb.Message {
  checkClientMsgId(send.clientMsgId);
  // code units are never fewer than code points: only a text longer in units needs counting
  if (send.text.length > L.maxTextChars && textChars(send.text) > L.maxTextChars) {
    throw new MagpieError(ErrorCode.TEXT_TOO_LONG, `text is longer than ${L.maxTextChars} characters`);
  }
  checkTextControls('text', send.text);
  checkMentions(send, toGroup);
  if (send.burnAfterReading && toGroup) invalid('burn-after-reading is for one-to-one messages');
  // the message `create` would make, written out: `create` walks every field of the schema, and
  // on this path that was 3 % of the server's time per message (validate-send.test.ts holds the
  // two equal)
  const content: pb.Message = {
    $typeName: pb.MessageSchema.typeName,
    msgId: 0n,
    from: '',
    to: '',
    text: send.text,
    timeMs: 0n,
    type: send.type,
    mentions: [...send.mentions],
    mentionAll: send.mentionAll,
    burnAfterReading: send.burnAfterReading,
    clientMsgId: new Uint8Array(0),
    withheld: false,
  };
  if (send.type !== pb.MessageType.CUSTOM && send.custom !== undefined) invalid('custom content on a non-custom message');
  if (send.type !== pb.MessageType.LOCATION && send.location !== undefined) invalid('a location on a non-location message');
  const isMedia = send.type === pb.MessageType.VOICE || send.type === pb.MessageType.IMAGE || send.type === pb.MessageType.FILE;
  if (!isMedia && send.media !== undefined) invalid('media on a message of another type');
  switch (send.type) {
    case pb.MessageType.TEXT:
      if (send.text.length === 0) invalid('a text message needs text');
      // white space alone shows as an empty bubble; the app and the CLI never send it (trim's white space)
      if (send.text.trim().length === 0) invalid('a text message needs text other than white space');
      break;
    case pb.MessageType.VOICE:
    case pb.MessageType.IMAGE:
    case pb.MessageType.FILE:
      content.media = checkedMedia(send.type, send.media);
      break;
    case pb.MessageType.LOCATION:
      content.location = checkedLocation(send.location);
      break;
    case pb.MessageType.CUSTOM:
      content.custom = checkedCustom(send.custom);
      if (send.custom?.transient === true && send.burnAfterReading) invalid('a transient message is never stored, so it cannot burn');
      break;
    default:
      invalid(`unknown message type ${String(send.type)}`);
  }
  return content;
}

export function checkClientMsgId(id: Uint8Array): void {
  if (id.length < L.minClientMsgIdBytes || id.length > L.maxClientMsgIdBytes) {
    throw new MagpieError(
      ErrorCode.INVALID_CLIENT_MSG_ID,
      `client_msg_id must be ${L.minClientMsgIdBytes}-${L.maxClientMsgIdBytes} bytes (16 recommended: the clock in ms in 6 bytes, then 10 random)`,
    );
  }
}

function checkMentions(send: pb.Send, toGroup: boolean): void {
  if (!toGroup && (send.mentions.length > 0 || send.mentionAll)) invalid('mentions are for group messages');
  if (send.mentions.length > L.maxMentions) invalid(`at most ${L.maxMentions} mentions`);
  for (const user of send.mentions) {
    if (!isValidUserId(user)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `mention of an invalid user id "${user}"`);
  }
}

function checkedMedia(type: pb.MessageType, media: pb.Media | undefined): pb.Media {
  if (media === undefined) invalid('a voice, image or file message needs media');
  if (media.fileId.length === 0 || media.fileId.length > L.maxFileIdChars) invalid(`media.file_id must be 1-${L.maxFileIdChars} characters`);
  if (media.name.length > L.maxFileNameChars) invalid(`media.name is longer than ${L.maxFileNameChars} characters`);
  if (hasControlCharacter(media.name)) invalid('media.name must not hold control characters');
  if (media.mime.length > L.maxMimeChars) invalid(`media.mime is longer than ${L.maxMimeChars} characters`);
  if (media.thumbnailId.length > L.maxFileIdChars) invalid(`media.thumbnail_id is longer than ${L.maxFileIdChars} characters`);
  if (media.size > BigInt(L.maxMediaBytes)) throw new MagpieError(ErrorCode.PAYLOAD_TOO_LARGE, 'media larger than 2 GiB');
  if (media.sha256.length !== 0 && !/^[0-9a-f]{64}$/.test(media.sha256)) invalid('media.sha256 must be 64 lowercase hex digits');
  if (type === pb.MessageType.VOICE && (media.durationMs === 0 || media.durationMs > L.maxVoiceDurationMs)) {
    invalid(`a voice message lasts 1 ms to ${L.maxVoiceDurationMs} ms`);
  }
  if (media.width > L.maxImageSidePx || media.height > L.maxImageSidePx) invalid('image sides are at most 100000 px');
  const { fileId, name, size, mime, durationMs, width, height, thumbnailId, sha256 } = media;
  return create(pb.MediaSchema, { fileId, name, size, mime, durationMs, width, height, thumbnailId, sha256 });
}

function checkedLocation(location: pb.Location | undefined): pb.Location {
  if (location === undefined) invalid('a location message needs a location');
  const { latitude, longitude } = location;
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) invalid('latitude must be within -90..90');
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) invalid('longitude must be within -180..180');
  if (location.title.length > L.maxLocationTextChars || location.address.length > L.maxLocationTextChars) {
    invalid(`location title and address are at most ${L.maxLocationTextChars} characters`);
  }
  checkTextControls('location.title', location.title);
  checkTextControls('location.address', location.address);
  return create(pb.LocationSchema, { latitude, longitude, title: location.title, address: location.address });
}

function checkedCustom(custom: pb.Custom | undefined): pb.Custom {
  if (custom === undefined) invalid('a custom message needs custom content');
  if (custom.command.length === 0 || custom.command.length > L.maxCommandChars) invalid(`custom.command must be 1-${L.maxCommandChars} characters`);
  checkTextControls('custom.command', custom.command);
  if (custom.payload.length > L.maxCustomPayloadBytes) {
    throw new MagpieError(ErrorCode.PAYLOAD_TOO_LARGE, `custom.payload is larger than ${L.maxCustomPayloadBytes} bytes`);
  }
  const { command, payload, transient, silent } = custom;
  return create(pb.CustomSchema, { command, payload, transient, silent });
}

/** ESC, NUL and the like draw nothing, and an escape sequence could rewrite a reader's terminal. */
function checkTextControls(field: string, text: string): void {
  const found = forbiddenTextControl(text);
  if (found !== undefined) {
    const name = controlCharacterName(found);
    const label = codePointLabel(found);
    invalid(`${field} must not hold control characters other than tab and line breaks (it holds ${name === label ? name : `${name}, ${label}`})`);
  }
}

function invalid(message: string): never {
  throw new MagpieError(ErrorCode.INVALID_MESSAGE, message);
}
