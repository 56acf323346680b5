import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScalarType, type DescEnum, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  bodyFrame,
  DEFAULT_WIRE_LIMITS,
  emptyFrame,
  encodeFrame,
  ErrorCode,
  frameBodySchemas,
  FrameType,
  MAX_LENGTH_PREFIX_BYTES,
  pb,
  type ErrorCodeName,
  type Frame,
  type FrameName,
} from '../../../protocol';

/**
 * docs/protocol.md is the byte-level spec. These tests read it and hold it to the code: the frame
 * table, the error-code table, the limits, every body message with every field, every enum, and
 * the hex dumps, so that neither can change without the other.
 */
const spec = readFileSync(fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url)), 'utf8');
const lines = spec.split('\n');

/** The cells of every markdown table row, without backticks. */
function tableRows(text: readonly string[]): string[][] {
  return text
    .filter((line) => line.trimStart().startsWith('|') && !/^\s*\|\s*-/.test(line))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}

/** The lines under a `### title` heading, up to the next heading. */
function section(title: string): string[] {
  const start = lines.findIndex((line) => line.trim() === `### ${title}`);
  expect(start, `docs/protocol.md has a "### ${title}" section`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('#'));
  return end === -1 ? rest : rest.slice(0, end);
}

const allRows = tableRows(lines);

describe('docs/protocol.md matches the code', () => {
  it('lists every error code with its name, and no code the code does not have', () => {
    const codeRows = allRows.filter((cells) => /^\d{6}$/.test(cells[0]!));
    const documented = new Map(codeRows.map((cells) => [Number(cells[0]), cells[1]]));
    for (const [name, code] of Object.entries(ErrorCode)) {
      expect(documented.get(code), `error code ${code} ${name}`).toBe(name);
    }
    expect(codeRows.length).toBe(Object.keys(ErrorCode).length);
    for (const cells of codeRows) expect(cells[2], `meaning of ${cells[1]}`).not.toBe('');
  });

  it('marks the seed platform codes as seed', () => {
    const seed: ErrorCodeName[] = ['KICKED_OFF', 'TOKEN_AUTH_FAILED', 'NOT_GROUP_MEMBER', 'ALREADY_IN_GROUP'];
    const seedRows = allRows.filter((cells) => /^\d{6}$/.test(cells[0]!) && cells[3] === 'seed');
    expect(seedRows.map((cells) => cells[1]).sort()).toEqual([...seed].sort());
  });

  it('lists every frame type with its hex byte and body message, and no other', () => {
    const frameRows = allRows.filter((cells) => /^0x[0-9a-f]{2}$/.test(cells[0]!));
    const documented = new Map(frameRows.map((cells) => [cells[0], cells]));
    for (const name of Object.keys(FrameType) as FrameName[]) {
      const hex = `0x${FrameType[name].toString(16).padStart(2, '0')}`;
      const row = documented.get(hex);
      expect(row?.[1], `frame ${hex}`).toBe(name);
      const schema = frameBodySchemas[name];
      expect(row?.[3], `body of ${name}`).toBe(schema === undefined ? 'none' : schema.name);
    }
    expect(frameRows.length).toBe(Object.keys(FrameType).length);
  });

  it('states the default limits the code uses', () => {
    const value = (name: string) => Number(allRows.find((cells) => cells[0] === name)?.[1]);
    expect(value('maxFrameBytes')).toBe(DEFAULT_WIRE_LIMITS.maxFrameBytes);
    expect(value('maxBodyBytes')).toBe(DEFAULT_WIRE_LIMITS.maxBodyBytes);
    expect(value('compressThresholdBytes')).toBe(DEFAULT_WIRE_LIMITS.compressThresholdBytes);
    expect(value('maxLengthPrefixBytes')).toBe(MAX_LENGTH_PREFIX_BYTES);
  });
});

function typeLabel(field: DescField): string {
  const optional = field.proto.proto3Optional ? 'optional ' : '';
  switch (field.fieldKind) {
    case 'scalar':
      return optional + ScalarType[field.scalar].toLowerCase();
    case 'message':
      return optional + field.message.name;
    case 'enum':
      return optional + field.enum.name;
    case 'list':
      if (field.listKind === 'scalar') return `repeated ${ScalarType[field.scalar].toLowerCase()}`;
      return `repeated ${field.listKind === 'enum' ? field.enum.name : field.message.name}`;
    case 'map':
      return 'map';
  }
}

const messages = pb.file_magpie_v1_magpie.messages as DescMessage[];
const enums = pb.file_magpie_v1_magpie.enums as DescEnum[];

describe('docs/protocol.md describes every body', () => {
  it.each(messages.map((message) => [message.name, message] as const))('message %s: every field with number, name and type', (_, message) => {
    const rows = tableRows(section(message.name)).filter((cells) => /^\d+$/.test(cells[0]!));
    const documented = rows.map((cells) => cells.slice(0, 3).join(' '));
    expect(documented).toEqual(message.fields.map((field) => `${field.number} ${field.name} ${typeLabel(field)}`));
    for (const cells of rows) expect(cells[3], `meaning of ${message.name}.${cells[1]}`).not.toBe('');
  });

  it.each(enums.map((desc) => [desc.name, desc] as const))('enum %s: every value with its number', (_, desc) => {
    const rows = tableRows(section(`enum ${desc.name}`)).filter((cells) => /^\d+$/.test(cells[0]!));
    expect(rows.map((cells) => `${cells[0]} ${cells[1]}`)).toEqual(desc.values.map((value) => `${value.number} ${value.name}`));
  });
});

/** The frames the spec dumps, built with the same values it states. */
const clientMsgId = Uint8Array.from({ length: 16 }, (_, i) => i);
const timeMs = 1_764_288_000_000n;
const dumpedFrames: Record<string, Frame> = {
  ping: emptyFrame('PING'),
  'send-hi': bodyFrame('SEND', { clientMsgId, to: 'bob', text: 'hi' }, { requestId: 7 }),
  'sent-hi': bodyFrame('SENT', { msgId: 1001n, timeMs, seq: 57n }, { requestId: 7 }),
  'push-hi': bodyFrame('PUSH', {
    seq: 42n,
    // no `to`: in bob's own inbox the recipient of a one-to-one message is bob
    item: { case: 'message', value: { msgId: 1001n, from: 'alice', timeMs, text: 'hi' } },
  }),
};

/** The hex bytes of the code block that follows `<!-- dump: name -->`. */
function documentedDump(name: string): string {
  const marker = lines.findIndex((line) => line.trim() === `<!-- dump: ${name} -->`);
  expect(marker, `dump ${name}`).toBeGreaterThanOrEqual(0);
  const open = marker + 1;
  expect(lines[open]?.trim()).toBe('```');
  const close = lines.findIndex((line, i) => i > open && line.trim() === '```');
  return lines.slice(open + 1, close).join(' ').trim().split(/\s+/).join(' ');
}

describe('the hex dumps in docs/protocol.md are what the encoder writes', () => {
  it.each(Object.keys(dumpedFrames))('%s', (name) => {
    const bytes = encodeFrame(dumpedFrames[name]!);
    expect(documentedDump(name)).toBe(Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 '));
  });

  it('says how long each dumped frame is', () => {
    expect(spec).toContain(`Request id 7, client_msg_id the bytes 00 to 0f; ${encodeFrame(dumpedFrames['send-hi']!).length} bytes.`);
    expect(spec).toContain(`seq 57 in alice's inbox; ${encodeFrame(dumpedFrames['sent-hi']!).length} bytes.`);
    expect(spec).toContain(`seq 42 in bob's inbox; ${encodeFrame(dumpedFrames['push-hi']!).length} bytes.`);
  });
});
