import type { FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder, XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { ErrorCode, MagpieError } from '../../protocol';
import { checkXmlDepth } from '../http/body-depth';

/**
 * The classic API speaks JSON or XML: the body by its Content-Type, the answer by Accept (or, if
 * Accept names neither, like the body). An XML body is one root element whose children are the
 * fields (`<SubAccount><appId>..</appId><friendlyName>..</friendlyName></SubAccount>`); an XML
 * answer is `<Response>` with the same fields the JSON answer has.
 */
const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });

/** The five entities XML predefines: the only names a body may refer to, since it may declare none. */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/**
 * A reference as XML writes it: `&#` decimal `;`, `&#x` hex `;` (a lower-case x: XML 1.0's CharRef
 * production has no `&#X`) or `&` name `;`.
 */
const REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([^\s&;<>#][^\s&;<>]*));/y;

/** `&#X41;`: a hex reference with an upper-case X, which XML 1.0 does not take, told apart to say how to write it. */
const UPPER_X_REFERENCE = /&#X([0-9A-Fa-f]+);/y;

/** What a refused `&` quotes: itself and what follows it up to a space, a tag or the next reference (and a `;` there). */
const BROKEN_REFERENCE = /^&[^\s<>&;"']*;?/;

/** XML 1.0's Char: tab, line feed, carriage return, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function quoted(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Where an index of the text is, as people count: ` (line 2, column 17)`, lines from 1, characters from 1. */
function positionOf(text: string, index: number): string {
  const lines = text.slice(0, index).split(/\r\n?|\n/);
  return ` (line ${lines.length}, column ${[...lines[lines.length - 1]!].length + 1})`;
}

/**
 * The reference at text[at] (an `&`): its length and its character, or the refusal in words, told
 * where it is by `whereOf` (a position in the body, or nothing when it is not known), asked only
 * for a refusal.
 */
function readReference(text: string, at: number, whereOf: () => string): { readonly length: number; readonly character: string } {
  REFERENCE.lastIndex = at;
  const match = REFERENCE.exec(text);
  if (!match) {
    UPPER_X_REFERENCE.lastIndex = at;
    const upper = UPPER_X_REFERENCE.exec(text);
    const where = whereOf();
    if (upper) {
      throw new MagpieError(
        ErrorCode.REST_BAD_REQUEST,
        `the XML body has a character reference with an upper-case X, ${quoted(upper[0])}${where}: XML writes a hex reference with a lower-case x, &#x${quoted(upper[1]!)};`,
      );
    }
    throw new MagpieError(
      ErrorCode.REST_BAD_REQUEST,
      `the XML body has an & that starts no reference: "${quoted(BROKEN_REFERENCE.exec(text.slice(at, at + 41))![0])}"${where}; write an & itself as &amp;`,
    );
  }
  const [reference, hex, decimal, name] = match;
  if (name !== undefined) {
    // a Map: `&constructor;` is no entity, whatever an object's prototype holds
    const known = PREDEFINED.get(name);
    if (known === undefined) {
      const where = whereOf();
      throw new MagpieError(
        ErrorCode.REST_BAD_REQUEST,
        `the XML body refers to an undeclared entity, ${quoted(reference)}${where}: only &lt; &gt; &amp; &quot; &apos; and character references such as &#20013; or &#x4E2D; are taken (write an & itself as &amp;)`,
      );
    }
    return { length: reference.length, character: known };
  }
  const digits = (hex ?? decimal)!.replace(/^0+(?=.)/, '');
  const cp = digits.length > 8 ? Number.POSITIVE_INFINITY : Number.parseInt(digits, hex === undefined ? 10 : 16);
  if (!isXmlChar(cp)) {
    const which = cp <= 0x10ffff ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : 'beyond U+10FFFF';
    throw new MagpieError(ErrorCode.REST_BAD_REQUEST, `the XML body refers to a character XML 1.0 does not allow: ${quoted(reference)} (${which})${whereOf()}`);
  }
  return { length: reference.length, character: String.fromCodePoint(cp) };
}

/**
 * A text's references decoded as an XML parser does for a document without a DTD: the five
 * predefined entities and character references become their characters; a reference to a
 * character XML 1.0 does not allow (`&#0;`, a surrogate, beyond U+10FFFF), any other name (an
 * undeclared entity), `&#X41;` and an `&` that starts no reference are refused. The parser's own
 * decoder takes character references only with HTML's entities besides, and keeps an unknown name
 * as text. checkMarkup refuses each of these first, with its line and column; this is what decodes.
 */
export function decodeXmlReferences(text: string): string {
  let at = text.indexOf('&');
  if (at < 0) return text;
  let decoded = '';
  let last = 0;
  while (at >= 0) {
    const { length, character } = readReference(text, at, () => '');
    decoded += text.slice(last, at) + character;
    last = at + length;
    at = text.indexOf('&', last);
  }
  return decoded + text.slice(last);
}

function dtdRefused(what: string, where: string): MagpieError {
  return new MagpieError(ErrorCode.REST_BAD_REQUEST, `the XML body has ${what}${where}: DTDs are not accepted`);
}

/**
 * Checks the raw body before the parser, which would answer a bad reference in its own words
 * ("char '&' is not expected") and an entity error with no place at all:
 * - refuses a DOCTYPE or any other markup declaration (`<!ENTITY`, `<!ELEMENT`, ...): no body the
 *   server takes needs one, and a DTD is where external entities (a file or URL read into the
 *   body) and entities that expand into each other (a few hundred bytes growing into gigabytes)
 *   are declared;
 * - refuses each reference readReference refuses (in text and attribute values alike), with its
 *   line and column.
 * Comments, CDATA and processing instructions are skipped, since `<!` and `&` inside them are text.
 */
function checkMarkup(text: string): void {
  let i = 0;
  // the next & and < at or after i, each found again only once passed: one pass over the body
  // however it mixes them (a text of many references, a run of many tags)
  let amp = text.indexOf('&');
  let lt = text.indexOf('<');
  while (i < text.length) {
    if (amp >= 0 && amp < i) amp = text.indexOf('&', i);
    if (lt >= 0 && lt < i) lt = text.indexOf('<', i);
    if (amp >= 0 && (lt < 0 || amp < lt)) {
      const at = amp;
      i = at + readReference(text, at, () => positionOf(text, at)).length;
      continue;
    }
    if (lt < 0) return;
    let end: string | undefined;
    if (text.startsWith('<!--', lt)) end = '-->';
    else if (text.startsWith('<![CDATA[', lt)) end = ']]>';
    else if (text.startsWith('<?', lt)) end = '?>';
    else if (text.startsWith('<!', lt)) {
      const keyword = /^<!([A-Za-z]*)/.exec(text.slice(lt, lt + 20))![1]!;
      throw dtdRefused(keyword === '' ? 'a declaration' : `a <!${keyword}> declaration`, positionOf(text, lt));
    }
    if (end === undefined) {
      i = lt + 1;
    } else {
      const close = text.indexOf(end, lt + 2);
      if (close < 0) return; // the parser says what is not closed
      i = close + end.length;
    }
  }
}

/** The parser's decoder hooks, all but decode only to see that no DTD got through (checkMarkup refuses one first). */
const entityDecoder: EntityDecoderOptions = {
  reset: () => undefined,
  setXmlVersion: () => undefined,
  setExternalEntities: () => undefined,
  addInputEntities: () => {
    throw dtdRefused('a <!DOCTYPE> declaration', '');
  },
  decode: decodeXmlReferences,
};

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, entityDecoder });

export function parseClassicXml(text: string): Record<string, unknown> {
  checkMarkup(text);
  // before the parser, which builds its answer recursively
  checkXmlDepth(text);
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    if (error instanceof MagpieError) throw error;
    throw new MagpieError(ErrorCode.REST_BAD_REQUEST, `the XML body does not parse: ${xmlProblem(text, error)}`);
  }
  const roots = Object.entries(parsed as Record<string, unknown>).filter(([name]) => name !== '?xml');
  // an empty root (`<SubAccount/>`) holds no fields: the schema then names each one required, as for `{}` in JSON
  if (roots.length === 1 && roots[0]![1] === '') return {};
  if (roots.length !== 1 || typeof roots[0]![1] !== 'object' || roots[0]![1] === null) {
    throw new MagpieError(ErrorCode.REST_BAD_REQUEST, 'an XML body is one root element holding the fields');
  }
  return roots[0]![1] as Record<string, unknown>;
}

/**
 * The parser's reason in words a caller can act on: for elements left open it says only
 * "Invalid '[ "SubAccount", "appId" ]' found", which names them but not what is wrong.
 */
function xmlProblem(text: string, error: unknown): string {
  const result = XMLValidator.validate(text);
  if (result === true) return (error as Error).message;
  const { msg, line, col } = result.err;
  const open = /^Invalid '(\[[\s\S]*\])' found\.$/.exec(msg);
  if (open) {
    try {
      const names = JSON.parse(open[1]!) as unknown;
      if (Array.isArray(names)) return `element${names.length === 1 ? '' : 's'} not closed: ${names.map((n) => `<${String(n)}>`).join(', ')}`;
    } catch {
      // not the list it usually is: said as the parser put it
    }
  }
  return col === undefined ? `${msg} (line ${line})` : `${msg} (line ${line}, column ${col})`;
}

export function wantsXml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  if (/xml/i.test(accept)) return true;
  if (/json/i.test(accept)) return false;
  return /xml/i.test(request.headers['content-type'] ?? '');
}

/**
 * What XML 1.0 cannot hold, even escaped: NUL and the other C0 controls but tab and line breaks,
 * U+FFFE, U+FFFF, and a lone surrogate (which has no UTF-8). A refusal's message may quote what the
 * request sent (`no sub-account named a\u0000b`); the answer says U+FFFD there instead, so a
 * client's XML parser still reads it.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it finds
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Sends a classic answer in the format the request asked for. */
export function sendClassic(request: FastifyRequest, reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  reply.code(status);
  if (wantsXml(request)) {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${(builder.build({ Response: body }) as string).replace(NOT_XML, '\uFFFD')}`;
    return reply.type('application/xml; charset=utf-8').send(xml);
  }
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** The classic success code. */
export const CLASSIC_OK = '000000';
