import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { formatCompactTimestamp } from '../../../server/auth/signature';
import { restAuthorization, restSignature } from '../../../server/rest/rest-auth';
import { scenarioSeed } from '../../reliability/support/client-pool';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createSeededRandom, type SeededRandom } from '../../unit/protocol/seeded-random';
import { CST_MINUTES } from './rest-fixture';

/**
 * A property-style fuzz of the REST API and the HTTP listener, with real signed requests against a
 * real server. Every route of the served OpenAPI document (so a new route is fuzzed without a
 * change here) gets requests whose body, query and path are mutated: wrong types, fields missing
 * and extra, huge and negative numbers, NaN-like strings, long strings, deep nesting, arrays for
 * objects, unicode edge cases, duplicate keys, wrong content types, hostile XML, empty bodies, odd
 * path parameters. The properties: no 5xx (but a documented 503), every refusal carries a known
 * error code in its family's error shape, the server answers a normal request after each route's
 * batch, and its log has no error-level line (a client's fault is not the server's error).
 *
 * The seed is fixed (printed); MAGPIE_RELIABILITY_SEED runs another. MAGPIE_REST_FUZZ_PER_ROUTE
 * sends more per route; MAGPIE_REST_FUZZ_DEBUG=1 prints the answers' statuses and codes by route.
 */
const DEFAULT_SEED = 20_261_130;
const PER_ROUTE = Number(process.env.MAGPIE_REST_FUZZ_PER_ROUTE ?? 100);
const CONCURRENCY = 6;

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

interface Attempt {
  readonly method: string;
  /** The path and query, before the signature's sig= and nonce= are added. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** What was mutated, for the failure message. */
  readonly what: string;
  /** Sign it (a REST path); false for the listener's other paths. */
  readonly signed: boolean;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  const?: unknown;
  nullable?: boolean;
};

interface Operation {
  readonly method: string;
  /** The OpenAPI path, `{name}` for each parameter. */
  readonly path: string;
  readonly pathParams: string[];
  readonly query: { name: string; schema: Schema }[];
  readonly bodySchema?: Schema;
  readonly bodyTypes: string[];
}

const ERROR_CODES = new Set<number>(Object.values(ErrorCode));

// values a client might send where another is expected
const HOSTILE_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '-0',
  '0x10',
  '1e999',
  '9007199254740993',
  '99999999999999999999999999',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '\u0000',
  'a\u0000b',
  '\u202Eevil\u202C',
  '\u2066x\u2069',
  '\uFEFF',
  '\uD800',
  '\uDC00x',
  '👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301',
  '../../etc/passwd',
  '%2F',
  '<x>&amp;</x>',
  "' OR 1=1 --",
  '${jndi}',
  'g',
  'gnope',
  'system',
];
const HOSTILE_NUMBERS = [0, -1, -0.5, 1.5, 2 ** 31, 2 ** 53, 2 ** 63, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, Number.MIN_SAFE_INTEGER];

const longString = (random: SeededRandom) => random.pick(['a', 'é', '😀', '\u0000', '[']).repeat(random.pick([65, 300, 5_001, 70_000, 300_000]));

function nested(levels: number, inner: unknown, asArray: boolean): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = asArray ? [value] : { a: value };
  return value;
}

function hostileValue(random: SeededRandom): unknown {
  switch (random.below(10)) {
    case 0:
      return random.pick(HOSTILE_NUMBERS);
    case 1:
      return random.pick([true, false, null]);
    case 2:
      return longString(random);
    case 3:
      return random.pick([[], [1, 'a'], [{}], {}, { a: 1 }]);
    case 4:
      return nested(random.pick([10, 40, 62]), 'x', random.next() < 0.5);
    default:
      return random.pick(HOSTILE_STRINGS);
  }
}

function typeOf(schema: Schema): string | undefined {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type !== undefined) return type;
  if (schema.properties) return 'object';
  return undefined;
}

/**
 * A value that satisfies the schema often enough to reach the handler: names the server knows
 * (the main app, existing users, the fuzz group) for the fields that hold them.
 */
function validValue(schema: Schema, field: string, random: SeededRandom, known: Known): unknown {
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice && choice.length > 0) return validValue(random.pick(choice), field, random, known);
  if (schema.allOf && schema.allOf.length > 0) return validValue(schema.allOf[0]!, field, random, known);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return random.pick(schema.enum);
  switch (field) {
    case 'appId':
      return known.appId;
    case 'subAccountSid':
      return known.subAccountSid;
    case 'from':
    case 'owner':
    case 'user':
      return 'alice';
    case 'to':
      return random.next() < 0.7 ? 'bob' : known.groupId;
    case 'peer':
      return 'bob';
    case 'group':
      return known.groupId;
    case 'users':
      return ['bob', 'carol'];
    case 'url':
      return 'http://127.0.0.1:9/hook';
    case 'name':
    case 'friendlyName':
      return `fuzz-${random.below(1_000_000)}`;
    case 'message':
      return { type: 'text', text: 'fuzz' };
    default:
      break;
  }
  switch (typeOf(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) || random.next() < 0.3) out[name] = validValue(property, name, random, known);
      }
      return out;
    }
    case 'array':
      return schema.items ? [validValue(schema.items, field, random, known)] : [];
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = Math.min(schema.maximum ?? 100, min + 100);
      return random.between(min, max);
    }
    case 'boolean':
      return random.next() < 0.5;
    case 'string':
      if (schema.pattern?.startsWith('^g')) return known.groupId;
      return 'fuzz';
    default:
      return 'fuzz';
  }
}

/** One mutation somewhere in a JSON value: a field dropped, added or replaced, a type swapped. */
function mutateValue(value: unknown, random: SeededRandom, depth = 0): { value: unknown; what: string } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 3) {
    const record = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(record);
    const roll = random.below(10);
    if (keys.length > 0 && roll < 2) {
      const key = random.pick(keys);
      delete record[key];
      return { value: record, what: `without ${key}` };
    }
    if (roll < 3) {
      const key = random.pick(['extra', '__proto__', 'constructor', '', 'a'.repeat(1_000), '\u0000', 'to ']);
      record[key] = hostileValue(random);
      return { value: record, what: `with an extra field ${JSON.stringify(key.slice(0, 20))}` };
    }
    if (keys.length > 0) {
      const key = random.pick(keys);
      const inner = random.next() < 0.5 ? mutateValue(record[key], random, depth + 1) : { value: hostileValue(random), what: 'hostile' };
      record[key] = inner.value;
      return { value: record, what: `${key}: ${inner.what}` };
    }
  }
  return { value: hostileValue(random), what: 'replaced' };
}

/** The body's text: JSON of the mutated value, or one of the raw forms a value cannot make. */
function rawJsonBody(valid: unknown, random: SeededRandom): { text: string | Buffer; what: string } {
  const json = JSON.stringify(valid) ?? 'null';
  switch (random.below(16)) {
    case 0: {
      // duplicate keys: the last one wins in JSON.parse, whatever the first said
      const dup = json.startsWith('{') && json.length > 2 ? `{"to":1,"name":[],${json.slice(1)}` : json;
      return { text: dup, what: 'duplicate keys' };
    }
    case 1:
      return { text: json.slice(0, random.below(json.length)), what: 'cut short' };
    case 2:
      return { text: '', what: 'empty' };
    case 3:
      return { text: `\uFEFF${json}`, what: 'with a BOM' };
    case 4:
      return { text: Buffer.concat([Buffer.from(json.slice(0, -2)), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from(json.slice(-2))]), what: 'invalid UTF-8' };
    case 5:
      return { text: `{"a":"\\ud800","b":"\\udfff\\u0000","c":"\\u202e"}`, what: 'lone surrogates' };
    case 6:
      return { text: random.pick(['[', '{"a":', 'nul', '1 2', '{"a":1}}', '"', '\u0000', '{"__proto__":{"x":1}}', '1e999', '-', '[]', '{}', '0']), what: 'not JSON or a scalar' };
    case 7:
      return { text: JSON.stringify(nested(random.pick([63, 65, 500]), valid, random.next() < 0.5)), what: 'deeply nested' };
    case 8:
      return { text: JSON.stringify([valid]), what: 'an array for the object' };
    default: {
      const mutated = mutateValue(valid, random);
      return { text: JSON.stringify(mutated.value) ?? 'null', what: mutated.what };
    }
  }
}

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json;;;',
  'application/jsonx',
  'application/problem+json',
  'a/b/c',
  '*/*',
  'application/xml',
  ';',
];

/** XML bodies for the classic paths: entities, DTDs, external entities, repeated fields. */
function xmlBody(fields: Record<string, unknown>, random: SeededRandom): { text: string; what: string } {
  const inner = Object.entries(fields)
    .map(([name, value]) => `<${name}>${String(value)}</${name}>`)
    .join('');
  const laughs = ['<!ENTITY a0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i};`.repeat(10)}">`)].join('');
  switch (random.below(12)) {
    case 0:
      return { text: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>${inner}<friendlyName>&x;</friendlyName></r>`, what: 'XXE' };
    case 1:
      return { text: `<?xml version="1.0"?><!DOCTYPE r [${laughs}]><r>${inner}<friendlyName>&a9;</friendlyName></r>`, what: 'billion laughs' };
    case 2:
      return { text: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY n "name">]><r>${inner}<x>&n;&n;&unknown;</x></r>`, what: 'internal and unknown entities' };
    case 3:
      return { text: `<r>${inner}${inner}</r>`, what: 'repeated fields' };
    case 4:
      return { text: `<r>${inner}</r><r>${inner}</r>`, what: 'two roots' };
    case 5:
      return { text: `<r a="1">${inner}<appId x="y"><b>1</b></appId></r>`, what: 'an element for a field' };
    case 6:
      return { text: `<r>${inner}<friendlyName>&#0;&#xD800;&#x110000;</friendlyName></r>`, what: 'bad character references' };
    case 7:
      return { text: random.pick(['', '<', '<r>', '</r>', 'not xml', '<?xml version="1.0"?>', '<r/>', '<r><![CDATA[x', '<!DOCTYPE r>', '<r>\u0000</r>']), what: 'broken XML' };
    case 8:
      return { text: `<r>${'<a>'.repeat(random.pick([60, 70]))}x${'</a>'.repeat(random.pick([60, 70]))}${inner}</r>`, what: 'deep XML' };
    default: {
      const mutated = mutateValue(fields, random);
      const value = mutated.value;
      const body =
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.entries(value as Record<string, unknown>)
              .map(([name, v]) => `<${name}>${escapeXml(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}</${name}>`)
              .join('')
          : escapeXml(String(JSON.stringify(value)));
      return { text: `<?xml version="1.0" encoding="utf-8"?><SubAccount>${body}</SubAccount>`, what: `XML ${mutated.what}` };
    }
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ODD_PATH_VALUES = [
  '',
  '.',
  '..',
  '%2e%2e',
  '%2F',
  'a%2Fb',
  '..%2F..%2Fetc',
  '%00',
  '%',
  '%ZZ',
  '%C0%AF',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '-1',
  '0',
  'NaN',
  'null',
  '%20',
  'a;b',
  'a?b',
  'g',
  'x'.repeat(70),
];

/** Percent-encoded; a lone surrogate, which has no UTF-8, as the bytes a careless encoder would send for it. */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function queryValue(schema: Schema, name: string, random: SeededRandom, known: Known): string {
  if (random.next() < 0.5) return String(validValue(schema, name, random, known));
  return random.pick([
    ...HOSTILE_STRINGS.map(encoded),
    ...HOSTILE_NUMBERS.map(String),
    'x'.repeat(random.pick([100, 5_000])),
    '%',
    '%ZZ',
    '%ED%A0%80',
    '1&limit=2',
  ]);
}

interface Known {
  appId: string;
  subAccountSid: string;
  groupId: string;
  jobId: string;
}

function operationsOf(document: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation.parameters ?? []) as { in: string; name: string; schema: Schema }[];
      const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content ?? {};
      const types = Object.keys(content);
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        ...(types.length > 0 && content[types[0]!]!.schema ? { bodySchema: content[types[0]!]!.schema! } : {}),
        bodyTypes: types,
      });
    }
  }
  return out;
}

describe('REST fuzz: mutated signed requests on every route of the OpenAPI document', () => {
  let server: TestServer;
  let base: string;
  let logText = '';
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let nonce = 0;
  const known: Known = { appId: '', subAccountSid: '', groupId: '', jobId: '' };

  const logLines = () =>
    logText
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as { level: number; msg?: string; err?: unknown; path?: string; status?: number });

  function send(attempt: Attempt): Promise<Reply> {
    let url = attempt.url;
    const headers: Record<string, string> = { ...attempt.headers };
    if (attempt.signed) {
      const timestamp = formatCompactTimestamp(Date.now(), CST_MINUTES);
      url += `${url.includes('?') ? '&' : '?'}sig=${restSignature(server.accountSid, server.authToken, timestamp)}&nonce=${++nonce}`;
      headers.authorization = restAuthorization(server.accountSid, timestamp);
    }
    if (attempt.body !== undefined) headers['content-length'] = String(Buffer.byteLength(attempt.body));
    return new Promise((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: server.httpPort, method: attempt.method, path: url, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.setTimeout(10_000, () => request.destroy(new Error(`no answer within 10 s: ${attempt.method} ${attempt.url}`)));
      request.on('error', reject);
      request.end(attempt.body);
    });
  }

  /** What is wrong with an answer, or undefined: the properties every answer must have. */
  function problemOf(attempt: Attempt, reply: Reply): string | undefined {
    if (reply.status >= 500) {
      const documented = reply.status === 503 && reply.text.includes(String(ErrorCode.STORAGE_UNAVAILABLE));
      if (!documented) return `status ${reply.status}`;
    }
    // bytes that are not UTF-8 are refused, never stored as U+FFFD
    if (reply.status < 400 && attempt.what.endsWith('invalid UTF-8') && attempt.method !== 'GET') return `took a body that is not UTF-8 (${reply.status})`;
    // an XML body with a DTD, an undeclared entity or a character XML forbids is refused, never stored
    if (reply.status < 400 && /(XXE|billion laughs|internal and unknown entities|bad character references)$/.test(attempt.what)) return `took ${attempt.what} (${reply.status})`;
    if (reply.status < 400 || attempt.method === 'HEAD') return undefined;
    const path = attempt.url.split('?')[0]!;
    if (path.startsWith('/v1/')) {
      let body: { error?: { code?: unknown; message?: unknown } } | undefined;
      try {
        body = JSON.parse(reply.text) as typeof body;
      } catch {
        return `a ${reply.status} whose body is not JSON: ${reply.text.slice(0, 200)}`;
      }
      const code = body?.error?.code;
      if (typeof code !== 'number' || !ERROR_CODES.has(code) || typeof body?.error?.message !== 'string') {
        return `a ${reply.status} without {error:{code,message}}: ${reply.text.slice(0, 200)}`;
      }
      if (code === ErrorCode.INTERNAL) return `a ${reply.status} with INTERNAL`;
    } else if (path.startsWith('/2013-12-26/')) {
      const json = /^\s*\{/.test(reply.text);
      // XML 1.0 has no NUL, no other C0 control but tab and line breaks, no U+FFFE or U+FFFF, no lone surrogate
      // eslint-disable-next-line no-control-regex -- the control characters are what it looks for
      const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(reply.text);
      if (!json && notXml) return `a classic XML ${reply.status} holding U+${notXml[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(reply.text.slice(0, 200))}`;
      const statusCode = json
        ? (JSON.parse(reply.text) as { statusCode?: unknown; statusMsg?: unknown }).statusCode
        : /<Response><statusCode>(\d+)<\/statusCode><statusMsg>[^<]*<\/statusMsg>/.exec(reply.text)?.[1];
      if (typeof statusCode !== 'string' || !ERROR_CODES.has(Number(statusCode))) {
        return `a classic ${reply.status} without statusCode and statusMsg: ${reply.text.slice(0, 200)}`;
      }
    }
    return undefined;
  }

  function pathOf(operation: Operation, method: string, random: SeededRandom, mutatePath: boolean): { url: string; what: string } {
    let what = '';
    let url = operation.path;
    const odd = mutatePath ? random.pick(operation.pathParams.filter((p) => p !== 'accountSid').concat(operation.pathParams.length === 1 ? ['accountSid'] : [])) : undefined;
    for (const name of operation.pathParams) {
      let value: string;
      if (name === odd) {
        value = random.next() < 0.15 ? 'z'.repeat(random.pick([1_000, 7_000])) : random.pick(ODD_PATH_VALUES);
        what += `${name}=${value.slice(0, 20)} `;
      } else if (name === 'accountSid') value = server.accountSid;
      else value = encoded(valuesFor(operation.path, method)[name] ?? 'fuzz');
      url = url.replace(`{${name}}`, value);
    }
    return { url, what };
  }

  /** The path parameters' real values; a destructive call gets things of its own to destroy. */
  function valuesFor(path: string, method: string): Record<string, string> {
    const destroysApp =
      ((method === 'DELETE' || method === 'PATCH') && path.endsWith('{appId}')) || path.endsWith('/offline') || path.endsWith('/token');
    const appId = destroysApp ? server.server.identity.createApp(server.accountSid, `victim ${++nonce}`).appId : known.appId;
    return { appId, subAccountSid: known.subAccountSid, groupId: method === 'DELETE' ? 'gnotthefuzzgroup' : known.groupId, jobId: known.jobId };
  }

  function attemptFor(operation: Operation, random: SeededRandom): Attempt {
    let method = operation.method;
    if (random.next() < 0.05) method = random.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']);
    const mutatePath = random.next() < 0.15;
    const { url: path, what: pathWhat } = pathOf(operation, method, random, mutatePath);
    const queryParts: string[] = [];
    let queryWhat = '';
    for (const { name, schema } of operation.query) {
      if (random.next() < 0.5) continue;
      const value = queryValue(schema, name, random, known);
      queryParts.push(`${name}=${value}`);
      if (random.next() < 0.1) queryParts.push(`${name}=${value}`);
    }
    if (random.next() < 0.1) queryParts.push(random.pick(['extra=1', 'limit[]=1', 'a[b]=c', '=', '&&', 'sig=', '%=%']));
    if (queryParts.length > 0) queryWhat = `?${queryParts.join('&').slice(0, 60)} `;
    const url = queryParts.length > 0 ? `${path}?${queryParts.join('&')}` : path;
    const classic = operation.path.startsWith('/2013-12-26/');
    const headers: Record<string, string> = { accept: classic && random.next() < 0.3 ? 'application/xml' : random.pick(['application/json', '*/*', 'text/html', '']) };

    if (operation.path.endsWith('/files')) {
      // an upload: the file's bytes, whatever their type
      const bytes = random.next() < 0.2 ? Buffer.alloc(0) : Buffer.from(random.bytes(random.pick([1, 16, 4_000])));
      return { method, url, headers: { ...headers, 'content-type': random.pick(['image/png', 'application/octet-stream', 'text/plain', '', 'a/b/c']) }, body: bytes, what: `${pathWhat}${queryWhat}${bytes.length} bytes`, signed: true };
    }
    if (operation.bodySchema === undefined) {
      // no body, or one it does not take
      const roll = random.next();
      if (roll < 0.7) return { method, url, headers, what: `${pathWhat}${queryWhat}`, signed: true };
      const contentType = random.pick(['application/json', ...WRONG_CONTENT_TYPES]);
      return { method, url, headers: { ...headers, 'content-type': contentType }, body: random.pick(['', '{}', '{"x":1}', 'x', '[']), what: `${pathWhat}${queryWhat}an unwanted ${contentType} body`, signed: true };
    }
    const valid = validValue(operation.bodySchema, '', random, known);
    const roll = random.next();
    if (classic && roll < 0.35) {
      const xml = xmlBody(valid as Record<string, unknown>, random);
      return { method, url, headers: { ...headers, 'content-type': random.pick(['application/xml', 'text/xml', 'application/xml; charset=utf-8']) }, body: xml.text, what: `${pathWhat}${queryWhat}${xml.what}`, signed: true };
    }
    if (roll < 0.45) {
      const contentType = random.pick(WRONG_CONTENT_TYPES);
      return { method, url, headers: { ...headers, 'content-type': contentType }, body: JSON.stringify(valid), what: `${pathWhat}${queryWhat}content-type ${contentType}`, signed: true };
    }
    if (roll < 0.5) return { method, url, headers, what: `${pathWhat}${queryWhat}no body`, signed: true };
    const raw = rawJsonBody(valid, random);
    return { method, url, headers: { ...headers, 'content-type': 'application/json' }, body: raw.text, what: `${pathWhat}${queryWhat}${raw.what}`, signed: true };
  }

  /** The listener's other paths, unsigned: health, metrics, the console, the file service, the document. */
  function surfaceAttempt(random: SeededRandom): Attempt {
    const path = random.pick([
      '/healthz',
      '/metrics',
      '/v1/openapi.json',
      '/console',
      '/console/',
      '/console/../../etc/passwd',
      '/console/%2e%2e/%2e%2e/etc/passwd',
      '/console/api/apps',
      '/console/api/session',
      `/files/${random.pick(ODD_PATH_VALUES)}`,
      '/files/',
      '/v1/',
      '/v1/accounts',
      `/v1/accounts/${random.pick(ODD_PATH_VALUES)}/apps`,
      '/2013-12-26/Accounts/x/SubAccounts',
      '/%',
      '//',
      '/./healthz',
      `/${'x'.repeat(8_000)}`,
      '/healthz?%ZZ',
    ]);
    const method = random.pick(['GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
    const body = method === 'GET' || method === 'HEAD' ? undefined : random.pick(['', '{}', '[', '{"a":"\\ud800"}', JSON.stringify(nested(100, 1, true))]);
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': random.pick(['application/json', 'text/plain', 'a/b']) };
    return { method, url: path, headers, ...(body === undefined ? {} : { body }), what: 'the listener', signed: false };
  }

  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logText += chunk.toString();
        done();
      },
    });
    server = await startTestServer({ logger: pino({ level: 'info' }, capture), tuning: { restMaxRefusals: 1_000_000 } });
    base = `/v1/accounts/${server.accountSid}/apps`;
    known.appId = server.appId;
    known.subAccountSid = server.createUser('fuzz-target').subAccountSid;
    const group = await send({ method: 'POST', url: `${base}/${server.appId}/groups`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner: 'alice', name: 'fuzz', members: ['bob', 'carol'] }), what: 'setup', signed: true });
    expect(group.status, group.text).toBe(201);
    known.groupId = (JSON.parse(group.text) as { groupId: string }).groupId;
    const job = await send({ method: 'POST', url: `${base}/${server.appId}/broadcasts`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: ['bob'], message: { type: 'text', text: 'hi' } }), what: 'setup', signed: true });
    expect(job.status, job.text).toBe(202);
    known.jobId = (JSON.parse(job.text) as { jobId: string }).jobId;
  });
  afterAll(async () => {
    agent.destroy();
    await server?.stop();
  });

  it('answers a path that does not decode, an over-long id and an unknown method in the REST error shape', async () => {
    const app = `${base}/${server.appId}`;
    const classic = `/2013-12-26/Accounts/${server.accountSid}`;
    const cases: [Attempt, number, number][] = [
      [{ method: 'GET', url: `${base}/%ZZ`, headers: {}, what: '', signed: true }, 400, ErrorCode.REST_BAD_REQUEST],
      [{ method: 'GET', url: `${base}/%ED%A0%80`, headers: {}, what: '', signed: true }, 400, ErrorCode.REST_BAD_REQUEST],
      [{ method: 'GET', url: `${base}/${'z'.repeat(1_000)}`, headers: {}, what: '', signed: true }, 404, ErrorCode.REST_NOT_FOUND],
      [{ method: 'PROPFIND', url: app, headers: {}, what: '', signed: true }, 405, ErrorCode.REST_NOT_FOUND],
      [{ method: 'TRACE', url: `${base}/nope/nope/nope`, headers: {}, what: '', signed: true }, 404, ErrorCode.REST_NOT_FOUND],
      [{ method: 'POST', url: `${classic}/%C0%AF`, headers: {}, what: '', signed: true }, 400, ErrorCode.REST_BAD_REQUEST],
      [{ method: 'PROPFIND', url: `${classic}/SubAccounts`, headers: { accept: 'application/xml' }, what: '', signed: true }, 405, ErrorCode.REST_NOT_FOUND],
    ];
    for (const [attempt, status, code] of cases) {
      const reply = await send(attempt);
      expect([attempt.method, attempt.url.slice(0, 80), reply.status], reply.text).toEqual([attempt.method, attempt.url.slice(0, 80), status]);
      expect(problemOf(attempt, reply)).toBeUndefined();
      expect(reply.text).toContain(String(code));
      // the answer never quotes the URL: its query holds the signature
      expect(reply.text).not.toContain('sig=');
    }
    const long = await send({ method: 'GET', url: `${base}/${'z'.repeat(1_000)}/push`, headers: {}, what: '', signed: true });
    expect(long.text).toContain('longer than 100 characters');
    const propfind = await send({ method: 'PROPFIND', url: app, headers: {}, what: '', signed: true });
    expect(propfind.headers.allow).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
  });

  it('answers a classic refusal that quotes a NUL or a U+FFFF in XML a parser reads, and refuses a lone surrogate naming the field', async () => {
    const url = `/2013-12-26/Accounts/${server.accountSid}/QuerySubAccountByName`;
    const surrogate: Attempt = {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', accept: 'application/xml' },
      body: JSON.stringify({ appId: server.appId, friendlyName: 'a\uD800b' }),
      what: 'a lone surrogate',
      signed: true,
    };
    const refused = await send(surrogate);
    expect(refused.status).toBe(400);
    expect(problemOf(surrogate, refused), surrogate.what).toBeUndefined();
    expect(refused.text).toContain('<statusMsg>body/friendlyName holds a lone surrogate (\\ud800, U+D800)');
    for (const name of ['a\u0000b', 'a\u001Bb', 'a\uFFFFb']) {
      const attempt: Attempt = {
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', accept: 'application/xml' },
        body: JSON.stringify({ appId: server.appId, friendlyName: name }),
        what: JSON.stringify(name),
        signed: true,
      };
      const reply = await send(attempt);
      expect(reply.status).toBe(404);
      expect(problemOf(attempt, reply), attempt.what).toBeUndefined();
      expect(reply.text).toContain(`<statusMsg>no sub-account named a\uFFFDb</statusMsg>`);
    }
  });

  it('refuses a JSON or XML body that is not UTF-8 with 400 REST_BAD_REQUEST and stores nothing', async () => {
    const subAccounts = () => (server.server.db.prepare('SELECT COUNT(*) AS n FROM sub_accounts').get() as { n: number }).n;
    const before = subAccounts();
    const bad = Buffer.from([0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80]);
    const cases: Attempt[] = [
      {
        method: 'POST',
        url: `${base}/${server.appId}/subaccounts`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"friendlyName":"utf8-'), bad, Buffer.from('"}')]),
        what: 'native JSON',
        signed: true,
      },
      {
        method: 'POST',
        url: `/2013-12-26/Accounts/${server.accountSid}/SubAccounts`,
        headers: { 'content-type': 'application/xml', accept: 'application/xml' },
        body: Buffer.concat([Buffer.from(`<SubAccount><appId>${server.appId}</appId><friendlyName>utf8-`), bad, Buffer.from('</friendlyName></SubAccount>')]),
        what: 'classic XML',
        signed: true,
      },
    ];
    for (const attempt of cases) {
      const reply = await send(attempt);
      expect([attempt.what, reply.status], reply.text).toEqual([attempt.what, 400]);
      expect(reply.text).toContain(String(ErrorCode.REST_BAD_REQUEST));
      expect(reply.text).toContain('not UTF-8');
    }
    expect(subAccounts()).toBe(before);
    // a BOM and any character spelled in UTF-8 are taken as before
    const ok = await send({ ...cases[0]!, body: Buffer.from('\uFEFF{"friendlyName":"utf8-é😀"}') });
    expect(ok.status, ok.text).toBe(201);
  });

  /** Writes bytes on a fresh connection, ends it, and reads what comes back until the server closes it. */
  function sendRaw(bytes: Buffer): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(server.httpPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      const done = () => resolve(Buffer.concat(chunks).toString('latin1'));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', done);
      socket.on('close', done);
      socket.setTimeout(3_000, () => socket.destroy());
      socket.end(bytes);
    });
  }

  it('answers bytes that are not HTTP it can read with a 4xx in the REST error shape, and stays up', async () => {
    const seed = scenarioSeed(DEFAULT_SEED);
    const random = createSeededRandom(seed);
    const valid = `POST ${base}/${server.appId}/messages?sig=0 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
    const broken = [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /healthz?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST ${base} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      `POST ${base} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST ${base} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `POST ${base} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}`,
      `GET /v1/accounts/\u0000/apps HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n`,
      `GET /healthz HTTP/1.1\nHost: x\n\n`,
      // cut off mid-request
      valid.slice(0, 40),
    ].map((text) => Buffer.from(text, 'latin1'));
    for (let i = 0; i < 40; i++) {
      const bytes = Buffer.from(valid, 'latin1');
      for (let flips = random.between(1, 4); flips > 0; flips--) bytes[random.below(bytes.length)] = random.below(256);
      broken.push(bytes);
    }
    const problems: string[] = [];
    for (const bytes of broken) {
      const answer = await sendRaw(bytes);
      const what = JSON.stringify(bytes.toString('latin1').slice(0, 80));
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      if (status === undefined) {
        // the server may close a connection it cannot read without a word, as Node does for some
        if (answer !== '') problems.push(`${what}: not an HTTP answer: ${JSON.stringify(answer.slice(0, 100))}`);
        continue;
      }
      if (Number(status) >= 500) problems.push(`${what}: ${status}`);
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      if (Number(status) >= 400 && body !== '' && !/^\{"error":\{"code":\d+,"message":"[^"]/.test(body) && !/<statusCode>\d+<\/statusCode>|"statusCode":"\d+"/.test(body)) {
        problems.push(`${what}: a ${status} without an error code: ${body.slice(0, 100)}`);
      }
    }
    expect(problems).toEqual([]);
    const normal = await send({ method: 'GET', url: `${base}/${server.appId}`, headers: {}, what: 'a normal request', signed: true });
    expect(normal.status).toBe(200);
    expect(logLines().filter((line) => line.level >= 50)).toEqual([]);
  });

  it('answers every mutated request with no 5xx and a known error code, and stays up', { timeout: 120_000 }, async () => {
    const seed = scenarioSeed(DEFAULT_SEED);
    console.log(`REST fuzz seed ${seed} (MAGPIE_RELIABILITY_SEED=${seed} repeats it)`);
    const random = createSeededRandom(seed);
    const sent = await send({ method: 'POST', url: `${base}/${server.appId}/messages`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'alice', to: 'bob', message: { type: 'text', text: 'before the fuzz' } }), what: 'a message to keep', signed: true });
    expect(sent.status, sent.text).toBe(200);

    const document = JSON.parse((await send({ method: 'GET', url: '/v1/openapi.json', headers: {}, what: 'the document', signed: false })).text) as Parameters<typeof operationsOf>[0];
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(20);

    const problems: string[] = [];
    const histogram = new Map<string, number>();
    let count = 0;
    const batches: { name: string; attempts: Attempt[] }[] = operations.map((operation) => ({
      name: `${operation.method} ${operation.path}`,
      attempts: Array.from({ length: PER_ROUTE }, () => attemptFor(operation, random)),
    }));
    batches.push({ name: 'the listener', attempts: Array.from({ length: PER_ROUTE * 2 }, () => surfaceAttempt(random)) });
    for (const batch of batches) {
      const queue = [...batch.attempts];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let attempt = queue.shift(); attempt !== undefined; attempt = queue.shift()) {
            let reply: Reply;
            try {
              reply = await send(attempt);
            } catch (error) {
              problems.push(`${batch.name} [${attempt.what}]: ${(error as Error).message}`);
              continue;
            }
            count++;
            if (process.env.MAGPIE_REST_FUZZ_DEBUG) {
              const code = /"code":(\d+)|statusCode>?"?:?"?(\d+)/.exec(reply.text);
              const key = `${batch.name} ${reply.status} ${code?.[1] ?? code?.[2] ?? ''}`;
              histogram.set(key, (histogram.get(key) ?? 0) + 1);
            }
            const problem = problemOf(attempt, reply);
            if (problem !== undefined) problems.push(`${batch.name} [${attempt.method} ${attempt.url.slice(0, 120)} ${attempt.what.slice(0, 120)}]: ${problem}`);
          }
        }),
      );
      // the server still answers a normal request
      const normal = await send({ method: 'GET', url: `${base}/${server.appId}`, headers: {}, what: 'a normal request', signed: true });
      expect(normal.status, `after ${batch.name}: ${normal.text}`).toBe(200);
    }
    console.log(`REST fuzz: ${count} requests on ${operations.length} routes and the listener`);
    if (process.env.MAGPIE_REST_FUZZ_DEBUG) {
      console.log([...histogram].sort().map(([k, v]) => `${k}: ${v}`).join('\n'));
      console.log(logLines().filter((line) => line.level >= 40).map((l) => JSON.stringify(l).slice(0, 400)).join('\n'));
    }
    const errors = logLines().filter((line) => line.level >= 50);
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
    expect(errors.map((line) => `${line.msg} ${line.path ?? ''} ${JSON.stringify(line.err).slice(0, 300)}`).slice(0, 20)).toEqual([]);

    // nothing was lost: the message sent before is still there
    const history = await send({ method: 'GET', url: `${base}/${server.appId}/history?user=alice&peer=bob`, headers: {}, what: 'history', signed: true });
    expect(history.status).toBe(200);
    expect(history.text).toContain('before the fuzz');
  });
});
