import { isUtf8 } from 'node:buffer';
import { ErrorCode, MagpieError } from '../../protocol';

/**
 * How deep a JSON or XML request body may nest (arrays and objects, or elements). No body the
 * server takes needs more than a few levels; the bound is checked on the raw text before it is
 * parsed, because the replay check's hash, the schemas and the XML parser each walk a parsed body
 * recursively, and a body of a few hundred kilobytes of `[` would overflow the stack (a 500).
 */
export const MAX_BODY_DEPTH = 64;

function tooDeep(): MagpieError {
  // statusCode: a 400 under any error handler, not only the REST API's
  return Object.assign(new MagpieError(ErrorCode.REST_BAD_REQUEST, `the request body is nested more than ${MAX_BODY_DEPTH} levels deep`), {
    statusCode: 400,
  });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Throws REST_BAD_REQUEST when JSON text nests deeper than MAX_BODY_DEPTH (brackets in strings are text). */
export function checkJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > MAX_BODY_DEPTH) throw tooDeep();
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
}

/** Where `end` finishes, searching from `from`; the text's end if it never does (the parser then says what is wrong). */
function after(text: string, end: string, from: number): number {
  const at = text.indexOf(end, from);
  return at < 0 ? text.length : at + end.length;
}

/**
 * Throws REST_BAD_REQUEST when XML text nests elements deeper than MAX_BODY_DEPTH. Comments,
 * CDATA, processing instructions and declarations are skipped; a self-closed element does not
 * nest. Malformed XML may be counted loosely: the parser refuses it afterwards anyway.
 */
export function checkXmlDepth(text: string): void {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return;
    if (text.startsWith('<!--', lt)) {
      i = after(text, '-->', lt + 4);
    } else if (text.startsWith('<![CDATA[', lt)) {
      i = after(text, ']]>', lt + 9);
    } else if (text.startsWith('<?', lt)) {
      i = after(text, '?>', lt + 2);
    } else if (text.startsWith('<!', lt)) {
      // a DOCTYPE: its internal subset, in [ ], may hold '>'
      const close = text.indexOf('>', lt);
      const subset = text.indexOf('[', lt);
      if (subset >= 0 && (close < 0 || subset < close)) i = after(text, '>', after(text, ']', subset));
      else i = close < 0 ? text.length : close + 1;
    } else if (text.charCodeAt(lt + 1) === 0x2f) {
      depth--;
      i = after(text, '>', lt);
    } else {
      // a start tag: it ends at the first '>' outside a quoted attribute value
      let quote = 0;
      let j = lt + 1;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === 0x22 || c === 0x27) {
          quote = c;
        } else if (c === 0x3e) {
          break;
        }
      }
      if (text.charCodeAt(j - 1) !== 0x2f && ++depth > MAX_BODY_DEPTH) throw tooDeep();
      i = j + 1;
    }
  }
}

/**
 * A JSON or XML body's text, refused with REST_BAD_REQUEST when its bytes are not UTF-8: decoded
 * as it comes, each bad byte would become U+FFFD and be stored in place of what the client meant.
 */
export function utf8BodyText(body: Buffer): string {
  if (!isUtf8(body)) {
    throw Object.assign(new MagpieError(ErrorCode.REST_BAD_REQUEST, 'the request body is not UTF-8: send JSON and XML bodies in UTF-8'), { statusCode: 400 });
  }
  return body.toString('utf8');
}

/** With the u flag a well-formed pair is one code point: only a lone surrogate matches. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function loneSurrogate(where: string, text: string): MagpieError {
  const unit = LONE_SURROGATE.exec(text)![0].charCodeAt(0);
  const label = `U+${unit.toString(16).toUpperCase()}`;
  return Object.assign(
    new MagpieError(
      ErrorCode.REST_BAD_REQUEST,
      `${where} holds a lone surrogate (\\u${unit.toString(16)}, ${label}), which is no character: write a character beyond U+FFFF as itself or as its pair of escapes (😀 is \\ud83d\\ude00)`,
    ),
    { statusCode: 400 },
  );
}

/**
 * Throws REST_BAD_REQUEST when a parsed JSON body holds a string (or a field name) with a lone
 * surrogate, which only a \u escape can make: it would be stored as U+FFFD, not what was sent.
 * The body's depth is already bounded (checkJsonDepth), so the walk is too.
 */
export function checkWellFormedJson(value: unknown, path = 'body'): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw loneSurrogate(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkWellFormedJson(item, `${path}/${i}`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) throw loneSurrogate(`a field name in ${path}`, key);
      checkWellFormedJson(item, `${path}/${key}`);
    }
  }
}

/**
 * Why a JSON body the parser refused for its prototype keys is refused, naming the field: a
 * "__proto__" field, or a "constructor" holding "prototype", which could change what an object
 * inherits, are refused (Fastify's parser throws on them), and Fastify's own message said the
 * body was not valid JSON. Undefined when the text does not parse either (it is not JSON).
 */
export function prototypeKeyRefusal(text: string): MagpieError | undefined {
  let parsed: unknown;
  try {
    // JSON.parse makes "__proto__" an own field: nothing is inherited while the walk looks
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const where = prototypeKeyIn(parsed, 'body');
  if (where === undefined) return undefined;
  return Object.assign(
    new MagpieError(
      ErrorCode.REST_BAD_REQUEST,
      `${where.path} has a field named "${where.key}", which no path takes: the server refuses it, as it could change what an object inherits; leave it out`,
    ),
    { statusCode: 400 },
  );
}

function prototypeKeyIn(value: unknown, path: string): { path: string; key: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = prototypeKeyIn(item, `${path}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (Object.hasOwn(value, '__proto__')) return { path, key: '__proto__' };
  const ctor = (value as Record<string, unknown>).constructor;
  if (Object.hasOwn(value, 'constructor') && typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
    return { path: `${path}/constructor`, key: 'prototype' };
  }
  for (const [key, item] of Object.entries(value)) {
    const found = prototypeKeyIn(item, `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/** The charset parameter of a Content-Type, quoted or not: `application/json; charset="UTF-8"`. */
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/**
 * Refuses (415 REST_UNSUPPORTED_MEDIA_TYPE) a JSON or XML body whose Content-Type names a charset
 * other than UTF-8: its bytes are read as UTF-8 only, and read so they could mean other text than
 * the sender wrote (latin1 "Ã©" taken as "é"), stored without a word. No charset is UTF-8.
 */
export function checkUtf8Charset(contentType: string | undefined): void {
  const charset = CHARSET.exec(contentType ?? '');
  if (charset === null) return;
  const name = (charset[1] ?? charset[2] ?? '').trim();
  if (/^utf-?8$/i.test(name)) return;
  throw Object.assign(
    new MagpieError(ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE, `the body is declared charset=${JSON.stringify(name.slice(0, 40))}: send it in UTF-8 (charset=utf-8, or no charset)`),
    { statusCode: 415 },
  );
}
