/**
 * Values between JavaScript and PostgreSQL's text format, matching what better-sqlite3 gives and
 * takes: integers and numerics as numbers, bytea as Buffer, booleans (from expressions; columns
 * hold integers) as 1 and 0, text as strings.
 */

/** Type oids of the results the server reads. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
} as const;

export type Decoder = (text: string) => unknown;

const asNumber: Decoder = (text) => Number(text);
/** An int8 beyond 2^53 would come back rounded: refused, as better-sqlite3 refuses it without safeIntegers. */
const asSafeInteger: Decoder = (text) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`the integer ${text} is too large to be read exactly as a JavaScript number`);
  return value;
};
const asString: Decoder = (text) => text;
const asBoolean: Decoder = (text) => (text === 't' ? 1 : 0);
const asBuffer: Decoder = (text) => Buffer.from(text.slice(2), 'hex');

export function decoderFor(oid: number): Decoder {
  switch (oid) {
    case OID.int8:
      return asSafeInteger;
    case OID.int2:
    case OID.int4:
    case OID.oid:
    case OID.float4:
    case OID.float8:
    case OID.numeric:
      return asNumber;
    case OID.bool:
      return asBoolean;
    case OID.bytea:
      return asBuffer;
    default:
      return asString;
  }
}

/** One parameter in text format; null is SQL NULL. */
export function encodeParameter(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot bind ${value} to a PostgreSQL parameter`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? '1' : '0';
    default:
      if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
      throw new TypeError(`cannot bind a ${Object.prototype.toString.call(value)} to a PostgreSQL parameter`);
  }
}
