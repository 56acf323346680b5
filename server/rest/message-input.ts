import { createHash } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { z } from 'zod';
import { ErrorCode, MagpieError, newClientMsgId, pb } from '../../protocol';
import { CONTENT_LIMITS as L } from '../chat/content-limits';

/** A user id as DESIGN.md has it: letters, digits, '_' and '-', 1-64, not starting with 'g'. */
export const userIdSchema = z.string().regex(/^(?!g)[A-Za-z0-9_-]{1,64}$/, 'must be a user id: letters, digits, _ and -, 1-64 characters, not starting with g');
export const groupIdSchema = z.string().regex(/^g[A-Za-z0-9_-]{1,63}$/, 'must be a group id: g, then letters, digits, _ and -, 2-64 characters');
/** A user or a group id, refused with one message naming both forms (a union says only "Invalid input"). */
export const recipientSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a user id or a group id (g…): letters, digits, _ and -, 1-64 characters')
  .refine((id) => !id.startsWith('g') || id.length >= 2, 'must be a group id (g…) of 2-64 characters: letters, digits, _ and -');

/** What SEND stores of a text payload: its UTF-8 bytes (a lone surrogate as the three of U+FFFD). */
const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
/** The bytes a standard padded base64 string decodes to. */
const base64Bytes = (base64: string): number => (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);

/**
 * A message as the REST API takes it. Every bound is the wire's own (CONTENT_LIMITS, which
 * validate-send checks), so a field the server would refuse is refused here, as 400 naming it,
 * and nothing the server takes is. Left to the server: the text's length (TEXT_TOO_LONG, counted
 * in characters as people see them) and control characters (INVALID_MESSAGE naming the field).
 */
export const messageInputSchema = z
  .object({
    type: z.enum(['text', 'custom', 'image', 'voice', 'file', 'location']),
    text: z.string().optional(),
    custom: z
      .object({
        command: z.string().min(1).max(L.maxCommandChars),
        /** UTF-8 text. */
        payload: z
          .string()
          .refine((payload) => utf8Bytes(payload) <= L.maxCustomPayloadBytes, {
            error: (issue) => `is ${utf8Bytes(issue.input as string)} bytes in UTF-8: at most ${L.maxCustomPayloadBytes}`,
          })
          .optional(),
        /** Bytes, in base64 (as history answers them): instead of payload, for what is not text. */
        payloadBase64: z
          .string()
          .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be standard base64 (A-Z, a-z, 0-9, + and /, padded with =)')
          .refine((base64) => base64Bytes(base64) <= L.maxCustomPayloadBytes, {
            error: (issue) => `decodes to ${base64Bytes(issue.input as string)} bytes: at most ${L.maxCustomPayloadBytes}`,
          })
          .optional(),
        /** Never causes an offline push. */
        silent: z.boolean().optional(),
        /** Delivered to online sessions only, never stored. */
        transient: z.boolean().optional(),
      })
      .refine((custom) => custom.payload === undefined || custom.payloadBase64 === undefined, 'give payload (text) or payloadBase64 (bytes), not both')
      .optional(),
    /** A file uploaded first (POST .../files) by the sender: image, voice or file by its id. */
    media: z
      .object({
        fileId: z.string().min(1).max(L.maxFileIdChars),
        /** Shown to the receiver; the upload's name when absent. */
        name: z.string().max(L.maxFileNameChars).optional(),
        /** Voice only, required there: how long it plays. */
        durationMs: z.number().int().min(1).max(2_147_483_647).optional(),
      })
      .strict()
      .optional(),
    /** A place, for a location message (required there): what the desktop app sends from its map. */
    location: z
      .object({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        /** Shown as the place's name; empty when absent. */
        title: z.string().max(L.maxLocationTextChars).optional(),
        address: z.string().max(L.maxLocationTextChars).optional(),
      })
      .strict()
      .optional(),
    mentions: z.array(userIdSchema).max(L.maxMentions).optional(),
    mentionAll: z.boolean().optional(),
    burnAfterReading: z.boolean().optional(),
  })
  .strict()
  .superRefine((message, context) => {
    if (message.type === 'location' && message.location === undefined) {
      context.addIssue({ code: 'custom', path: ['location'], message: 'is required for a location message: {latitude, longitude, title?, address?}' });
    }
    // said here, naming the field and the type: SEND's own check answers a bare INVALID_MESSAGE
    // (and an image, voice or file without media would be refused for its media first)
    if (message.type !== 'location' && message.location !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['location'],
        message: `is for a location message only, and this message's type is "${message.type}": send type "location" for a place, or leave location out`,
      });
    }
    // the wire bounds a voice message's length only: another kind's durationMs is never read
    if (message.type !== 'voice' || message.media === undefined) return;
    const { durationMs } = message.media;
    if (durationMs === undefined || durationMs > L.maxVoiceDurationMs) {
      const said = durationMs === undefined ? 'is required for a voice message' : `is ${durationMs}`;
      context.addIssue({ code: 'custom', path: ['media', 'durationMs'], message: `${said}: a voice message lasts 1 to ${L.maxVoiceDurationMs} ms` });
    }
  });
export type MessageInput = z.infer<typeof messageInputSchema>;

const TYPES = {
  text: pb.MessageType.TEXT,
  custom: pb.MessageType.CUSTOM,
  image: pb.MessageType.IMAGE,
  voice: pb.MessageType.VOICE,
  file: pb.MessageType.FILE,
  location: pb.MessageType.LOCATION,
} as const;

/**
 * A client id from an idempotency key (the same key sends once), or a fresh one. Broadcasts use
 * job id + user id, so a job resumed after a restart never sends anyone a second copy.
 */
export function clientMsgIdOf(key: string | undefined, nowMs: number): Uint8Array {
  if (key === undefined) return newClientMsgId(nowMs);
  return new Uint8Array(createHash('sha256').update(key).digest().subarray(0, 16));
}

/**
 * The size of the sender's own finished upload, as SEND's media check will compare it; throws
 * UPLOAD_NOT_FOUND for anything else. Absent on a server without a file service.
 */
export type UploadSizeOf = (fileId: string) => number;

/** The SEND body for a REST message; SEND itself then checks the media against the upload. */
export function sendBodyOf(message: MessageInput, to: string, clientMsgId: Uint8Array, uploadSizeOf?: UploadSizeOf): MessageInitShape<typeof pb.SendSchema> {
  const isMedia = message.type === 'image' || message.type === 'voice' || message.type === 'file';
  if ((isMedia || message.media !== undefined) && uploadSizeOf === undefined) {
    throw new MagpieError(ErrorCode.MEDIA_UNAVAILABLE, 'media messages by file id are refused: this server has no file service');
  }
  if (!isMedia && message.media !== undefined) throw new MagpieError(ErrorCode.INVALID_MESSAGE, 'media is for image, voice and file messages');
  if (isMedia && message.media === undefined) throw new MagpieError(ErrorCode.INVALID_MESSAGE, 'an image, voice or file message needs media.fileId');
  const media =
    isMedia && message.media !== undefined && uploadSizeOf !== undefined
      ? {
          media: {
            fileId: message.media.fileId,
            name: message.media.name ?? '',
            size: BigInt(uploadSizeOf(message.media.fileId)),
            durationMs: message.media.durationMs ?? 0,
          },
        }
      : {};
  return {
    clientMsgId,
    to,
    type: TYPES[message.type],
    text: message.text ?? '',
    mentions: message.mentions ?? [],
    mentionAll: message.mentionAll ?? false,
    burnAfterReading: message.burnAfterReading ?? false,
    ...(message.custom
      ? {
          custom: {
            command: message.custom.command,
            payload:
              message.custom.payloadBase64 === undefined ? new TextEncoder().encode(message.custom.payload ?? '') : new Uint8Array(Buffer.from(message.custom.payloadBase64, 'base64')),
            silent: message.custom.silent ?? false,
            transient: message.custom.transient ?? false,
          },
        }
      : {}),
    ...(message.location
      ? {
          location: {
            latitude: message.location.latitude,
            longitude: message.location.longitude,
            title: message.location.title ?? '',
            address: message.location.address ?? '',
          },
        }
      : {}),
    ...media,
  };
}
