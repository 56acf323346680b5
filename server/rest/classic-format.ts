import type { FastifyReply, FastifyRequest } from 'fastify';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { ErrorCode, MagpieError } from '../../protocol';
import { checkXmlDepth } from '../http/body-depth';

/**
 * The classic API speaks JSON or XML: the body by its Content-Type, the answer by Accept (or, if
 * Accept names neither, like the body). An XML body is one root element whose children are the
 * fields (`<SubAccount><appId>..</appId><friendlyName>..</friendlyName></SubAccount>`); an XML
 * answer is `<Response>` with the same fields the JSON answer has.
 */
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true });
const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });

export function parseClassicXml(text: string): Record<string, unknown> {
  // before the parser, which builds its answer recursively
  checkXmlDepth(text);
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    throw new MagpieError(ErrorCode.REST_BAD_REQUEST, `the XML body does not parse: ${xmlProblem(text, error)}`);
  }
  const roots = Object.entries(parsed as Record<string, unknown>).filter(([name]) => name !== '?xml');
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
