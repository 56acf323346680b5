/**
 * The redo log's record encoding (redo-log.ts). Hand-written because a record is encoded for every
 * write transaction on the hot path, and V8's general serializer took ~8 µs for a message's four
 * statements where this takes well under one. It knows exactly the values better-sqlite3 binds:
 * null, numbers, bigints, strings, Buffers (and other byte arrays), booleans, an array of those
 * (better-sqlite3 spreads it over the positional parameters: the multi-row INSERTs pass one), and
 * an object of those for named parameters.
 */

export type RedoEntry = readonly [statementId: number, args: readonly unknown[]];

export interface RedoRecord {
  /** The commit window the statements ran in. */
  readonly window: number;
  /** Statement ids this record uses for the first time in the file, with their SQL. */
  readonly defs: readonly (readonly [statementId: number, sql: string])[];
  readonly entries: readonly RedoEntry[];
}

const enum Tag {
  Null = 0,
  Number = 1,
  String = 2,
  Bytes = 3,
  BigInt = 4,
  Object = 5,
  True = 6,
  False = 7,
  Undefined = 8,
  Array = 9,
}

class Writer {
  buffer = Buffer.allocUnsafe(1024);
  offset = 0;

  reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.offset);
    this.offset += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
  }

  string(value: string): void {
    // at most three bytes of UTF-8 per UTF-16 unit
    this.reserve(4 + value.length * 3);
    const length = this.buffer.write(value, this.offset + 4, 'utf8');
    this.buffer.writeUInt32LE(length, this.offset);
    this.offset += 4 + length;
  }

  bytes(value: Uint8Array): void {
    this.u32(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  value(value: unknown): void {
    if (value === null) this.u8(Tag.Null);
    else if (value === undefined) this.u8(Tag.Undefined);
    else if (typeof value === 'number') {
      this.u8(Tag.Number);
      this.f64(value);
    } else if (typeof value === 'string') {
      this.u8(Tag.String);
      this.string(value);
    } else if (typeof value === 'bigint') {
      this.u8(Tag.BigInt);
      this.string(value.toString());
    } else if (typeof value === 'boolean') this.u8(value ? Tag.True : Tag.False);
    else if (value instanceof Uint8Array) {
      this.u8(Tag.Bytes);
      this.bytes(value);
    } else if (Array.isArray(value)) {
      this.u8(Tag.Array);
      this.u32(value.length);
      for (const item of value) this.value(item);
    } else if (typeof value === 'object') {
      const keys = Object.keys(value);
      this.u8(Tag.Object);
      this.u32(keys.length);
      for (const key of keys) {
        this.string(key);
        this.value((value as Record<string, unknown>)[key]);
      }
    } else throw new TypeError(`redo log: cannot write a ${typeof value} parameter`);
  }
}

/**
 * A transaction's entries, encoded as each statement runs: the arguments are written down as they
 * are at that moment, so nothing needs copying in case the caller changes a buffer later (a copy
 * of every argument, then its encoding at the end, were 2–3 % of the server's time in a burst).
 */
export class RedoEntryEncoder {
  private readonly writer = new Writer();
  /** The statement id of each entry, in order. */
  readonly ids: number[] = [];

  add(statementId: number, args: readonly unknown[]): void {
    const writer = this.writer;
    writer.u32(statementId);
    writer.u32(args.length);
    for (const arg of args) writer.value(arg);
    this.ids.push(statementId);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Where the entries end now: cutTo(mark) forgets those added after it (a savepoint rolled back). */
  get mark(): number {
    return this.writer.offset;
  }

  cutTo(count: number, mark: number): void {
    this.ids.length = count;
    this.writer.offset = mark;
  }

  clear(): void {
    this.cutTo(0, 0);
  }

  /** The entries' bytes (valid until the next change). */
  bytes(): Buffer {
    return this.writer.buffer.subarray(0, this.writer.offset);
  }
}

/** A record to write: its entries as values, or already encoded. */
export interface RedoRecordToWrite extends Omit<RedoRecord, 'entries'> {
  readonly entries: readonly RedoEntry[] | RedoEntryEncoder;
}

/** The record's bytes, after `headerBytes` bytes left for the caller (length and checksum). */
export function encodeRedoRecord(record: RedoRecordToWrite, headerBytes: number): Buffer {
  const { entries } = record;
  const writer = new Writer();
  writer.reserve(headerBytes + (entries instanceof RedoEntryEncoder ? 16 + entries.mark : 0));
  writer.offset = headerBytes;
  writer.f64(record.window);
  writer.u32(record.defs.length);
  for (const [id, sql] of record.defs) {
    writer.u32(id);
    writer.string(sql);
  }
  if (entries instanceof RedoEntryEncoder) {
    writer.u32(entries.count);
    const bytes = entries.bytes();
    writer.reserve(bytes.length);
    writer.buffer.set(bytes, writer.offset);
    writer.offset += bytes.length;
  } else {
    writer.u32(entries.length);
    for (const [id, args] of entries) {
      writer.u32(id);
      writer.u32(args.length);
      for (const arg of args) writer.value(arg);
    }
  }
  return writer.buffer.subarray(0, writer.offset);
}

class Reader {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  u8(): number {
    return this.buffer[this.offset++]!;
  }

  u32(): number {
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  f64(): number {
    const value = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  string(): string {
    const length = this.u32();
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  bytes(): Buffer {
    const length = this.u32();
    // a copy: the file's bytes are let go once the record is read
    const value = Buffer.from(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  value(): unknown {
    const tag = this.u8();
    switch (tag) {
      case Tag.Null:
        return null;
      case Tag.Undefined:
        return undefined;
      case Tag.Number:
        return this.f64();
      case Tag.String:
        return this.string();
      case Tag.Bytes:
        return this.bytes();
      case Tag.BigInt:
        return BigInt(this.string());
      case Tag.True:
        return true;
      case Tag.False:
        return false;
      case Tag.Array: {
        const items: unknown[] = [];
        for (let count = this.u32(); count > 0; count--) items.push(this.value());
        return items;
      }
      case Tag.Object: {
        const object: Record<string, unknown> = {};
        const count = this.u32();
        for (let index = 0; index < count; index++) {
          const key = this.string();
          object[key] = this.value();
        }
        return object;
      }
      default:
        throw new Error(`redo log: unknown value tag ${tag}`);
    }
  }
}

export function decodeRedoRecord(payload: Buffer): RedoRecord {
  const reader = new Reader(payload);
  const window = reader.f64();
  const defs: [number, string][] = [];
  for (let count = reader.u32(); count > 0; count--) defs.push([reader.u32(), reader.string()]);
  const entries: RedoEntry[] = [];
  for (let count = reader.u32(); count > 0; count--) {
    const id = reader.u32();
    const args: unknown[] = [];
    for (let argc = reader.u32(); argc > 0; argc--) args.push(reader.value());
    entries.push([id, args]);
  }
  return { window, defs, entries };
}
