import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { FlatWriter, isUint64, MAX_VARINT_BYTES, stringFieldBound } from './flat-writer';
import { MessageSchema, SendSchema, SentSchema, type Message, type Send } from './gen/magpie/v1/magpie_pb';

/**
 * Hand-written codecs for the bodies every one-to-one message passes through (SEND in, the
 * Message of SENT's PUSH and of the stored content out, SENT out). protobuf-es encodes and decodes
 * by reflection, field by field through descriptors; on this path that was a sixth of the
 * server's time per message. Each function gives exactly what toBinary / fromBinary give (the
 * same bytes, the same object): fields in number order, zero scalars left out, unknown fields
 * last; anything off the common shape (media, a location, custom content, unknown fields, a field
 * in an unexpected wire type) goes to protobuf-es itself. test/unit/protocol/fast-codec.test.ts
 * holds them to that on random and edge-case bodies.
 */

/** The Message's encoding, as toBinary(MessageSchema, message). */
export function encodeMessage(message: Message): Uint8Array {
  if (!isCommonMessage(message)) return toBinary(MessageSchema, message);
  let bound = 4 * (1 + MAX_VARINT_BYTES) + stringFieldBound(message.from) + stringFieldBound(message.to) + stringFieldBound(message.text);
  for (const mention of message.mentions) bound += stringFieldBound(mention);
  bound += 1 + 5 + message.clientMsgId.length;
  const writer = new FlatWriter(bound);
  if (message.msgId !== 0n) writer.tag(1, WireType.Varint).uint64(message.msgId);
  if (message.from !== '') writer.tag(2, WireType.LengthDelimited).string(message.from);
  if (message.to !== '') writer.tag(3, WireType.LengthDelimited).string(message.to);
  if (message.text !== '') writer.tag(4, WireType.LengthDelimited).string(message.text);
  if (message.timeMs !== 0n) writer.tag(5, WireType.Varint).uint64(message.timeMs);
  if (message.type !== 0) writer.tag(6, WireType.Varint).int32(message.type);
  for (const mention of message.mentions) writer.tag(7, WireType.LengthDelimited).string(mention);
  if (message.mentionAll) writer.tag(8, WireType.Varint).uint(1);
  if (message.burnAfterReading) writer.tag(12, WireType.Varint).uint(1);
  if (message.clientMsgId.length > 0) writer.tag(13, WireType.LengthDelimited).bytes(message.clientMsgId);
  if (message.withheld) writer.tag(14, WireType.Varint).uint(1);
  return writer.finish();
}

/** A text-like message with values protobuf-es would write without complaint. */
function isCommonMessage(message: Message): boolean {
  return (
    message.media === undefined &&
    message.location === undefined &&
    message.custom === undefined &&
    !hasUnknown(message) &&
    isUint64(message.msgId) &&
    isUint64(message.timeMs) &&
    Number.isInteger(message.type) &&
    message.type >= -(2 ** 31) &&
    message.type < 2 ** 31
  );
}

/** SENT's body, as toBinary(SentSchema, create(SentSchema, { msgId, timeMs, seq, timelineSeq })). */
export function encodeSent(msgId: bigint, timeMs: bigint, seq: bigint, timelineSeq = 0n): Uint8Array {
  if (!isUint64(msgId) || !isUint64(timeMs) || !isUint64(seq) || !isUint64(timelineSeq)) {
    return toBinary(SentSchema, create(SentSchema, { msgId, timeMs, seq, timelineSeq }));
  }
  const writer = new FlatWriter(4 * (1 + MAX_VARINT_BYTES));
  if (msgId !== 0n) writer.tag(2, WireType.Varint).uint64(msgId);
  if (timeMs !== 0n) writer.tag(3, WireType.Varint).uint64(timeMs);
  if (seq !== 0n) writer.tag(4, WireType.Varint).uint64(seq);
  if (timelineSeq !== 0n) writer.tag(5, WireType.Varint).uint64(timelineSeq);
  return writer.finish();
}

/**
 * A SEND body, as fromBinary(SendSchema, bytes). The fast path reads the fields a text message
 * has (1–6 and 10, each in its own wire type); any other field, and any error, starts over in
 * fromBinary, so what is refused and how stays protobuf-es's.
 */
export function decodeSend(bytes: Uint8Array): Send {
  const fast = readCommonSend(bytes);
  return fast ?? fromBinary(SendSchema, bytes);
}

/** Whether fromBinary refuses invalid UTF-8 in each string field (proto3: it does). */
const STRICT_TO = SendSchema.field.to!.utf8Validation;
const STRICT_TEXT = SendSchema.field.text!.utf8Validation;
const STRICT_MENTIONS = SendSchema.field.mentions!.utf8Validation;

function readCommonSend(bytes: Uint8Array): Send | undefined {
  // what create(SendSchema) gives, built directly: create walks the descriptor's members
  const send: Send = {
    $typeName: SendSchema.typeName,
    clientMsgId: new Uint8Array(0),
    to: '',
    type: 0,
    text: '',
    mentions: [],
    mentionAll: false,
    burnAfterReading: false,
  };
  const reader = new BinaryReader(bytes);
  try {
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      switch (field) {
        case 1:
          if (wireType !== WireType.LengthDelimited) return undefined;
          send.clientMsgId = reader.bytes();
          break;
        case 2:
          if (wireType !== WireType.LengthDelimited) return undefined;
          send.to = reader.string(STRICT_TO);
          break;
        case 3:
          if (wireType !== WireType.Varint) return undefined;
          send.type = reader.int32();
          break;
        case 4:
          if (wireType !== WireType.LengthDelimited) return undefined;
          send.text = reader.string(STRICT_TEXT);
          break;
        case 5:
          if (wireType !== WireType.LengthDelimited) return undefined;
          send.mentions.push(reader.string(STRICT_MENTIONS));
          break;
        case 6:
          if (wireType !== WireType.Varint) return undefined;
          send.mentionAll = reader.bool();
          break;
        case 10:
          if (wireType !== WireType.Varint) return undefined;
          send.burnAfterReading = reader.bool();
          break;
        default:
          return undefined;
      }
    }
  } catch {
    return undefined;
  }
  // a field that ran past the end leaves pos beyond len: fromBinary says what is wrong
  return reader.pos === reader.len ? send : undefined;
}

function hasUnknown(message: Message): boolean {
  const unknown = (message as { $unknown?: unknown[] }).$unknown;
  return unknown !== undefined && unknown.length > 0;
}
