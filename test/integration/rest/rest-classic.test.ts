import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

/**
 * The classic paths driven exactly as an existing integration drives them: a timestamp in
 * yyyyMMddHHmmss (China Standard Time), sig = upper-case MD5(accountSid + authToken + timestamp)
 * in the query, Authorization = base64(accountSid:timestamp), JSON or XML bodies with the appId.
 */
function cstTimestamp(ms = Date.now()): string {
  const d = new Date(ms + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

describe('the classic REST paths', () => {
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = `http://127.0.0.1:${server.httpPort}/2013-12-26/Accounts/${server.accountSid}`;
  });
  afterAll(() => server.stop());

  async function classic(
    method: string,
    name: string,
    body: string | undefined,
    format: 'json' | 'xml',
    options: { atMs?: number; token?: string; accept?: 'json' | 'xml'; contentType?: string; nonce?: number } = {},
  ) {
    const timestamp = cstTimestamp(options.atMs);
    const sig = createHash('md5')
      .update(server.accountSid + (options.token ?? server.authToken) + timestamp)
      .digest('hex')
      .toUpperCase();
    const type = options.contentType ?? (format === 'json' ? 'application/json;charset=utf-8' : 'application/xml;charset=utf-8');
    const accept = options.accept ?? format;
    const response = await fetch(`${base}/${name}?sig=${sig}${options.nonce === undefined ? '' : `&nonce=${options.nonce}`}`, {
      method,
      headers: {
        Accept: accept === 'json' ? 'application/json' : 'application/xml',
        'Content-Type': type,
        Authorization: Buffer.from(`${server.accountSid}:${timestamp}`).toString('base64'),
      },
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
  }
  const json = async (method: string, name: string, body?: object) => {
    const reply = await classic(method, name, body && JSON.stringify(body), 'json');
    return { ...reply, json: JSON.parse(reply.text) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('answers AccountInfo, creates a sub-account (again: the same one), pages, queries and closes, in JSON', async () => {
    const info = await json('GET', 'AccountInfo');
    expect(info.json.statusCode).toBe('000000');
    expect(info.json.Account.dateCreated).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const created = await json('POST', 'SubAccounts', { appId: server.appId, friendlyName: 'classic-json' });
    expect(created.json.statusCode).toBe('000000');
    const sub = created.json.SubAccount as Record<string, string>;
    expect(Object.keys(sub).sort()).toEqual(['dateCreated', 'subAccountSid', 'subToken', 'voipAccount', 'voipPwd']);
    const client = await TestClient.connect(server.port);
    await client.hello();
    await client.loginWithPassword(sub.voipAccount!, sub.voipPwd!);

    // the identical request within the same second would be a replay (REST_REPLAYED): the
    // integration's next call carries the next second's timestamp, hence another signature
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await json('POST', 'SubAccounts', { appId: server.appId, friendlyName: 'classic-json' });
    expect(again.json.SubAccount.subAccountSid).toBe(sub.subAccountSid);

    const page = await json('POST', 'GetSubAccounts', { appId: server.appId, startNo: 0, offset: 10 });
    expect(page.json.statusCode).toBe('000000');
    expect(page.json.SubAccount.map((s: { subAccountSid: string }) => s.subAccountSid)).toContain(sub.subAccountSid);
    expect(Number(page.json.totalCount)).toBeGreaterThanOrEqual(1);

    const found = await json('POST', 'QuerySubAccountByName', { appId: server.appId, friendlyName: 'classic-json' });
    expect(found.json.SubAccount.voipAccount).toBe(sub.voipAccount);

    const closed = await json('POST', 'CloseSubAccount', { appId: server.appId, subAccountSid: sub.subAccountSid });
    expect(closed.json).toEqual({ statusCode: '000000' });
    expect((await client.waitForPush('KICKED')).code).toBe(ErrorCode.SUB_ACCOUNT_CLOSED);

    // a name of 64 emoji (128 UTF-16 units) is found as it was made
    const birds = '🐦'.repeat(64);
    expect((await json('POST', 'SubAccounts', { appId: server.appId, friendlyName: birds })).json.statusCode).toBe('000000');
    const foundBirds = await json('POST', 'QuerySubAccountByName', { appId: server.appId, friendlyName: birds });
    expect(foundBirds.json.statusCode, foundBirds.text).toBe('000000');

    const missing = await json('POST', 'QuerySubAccountByName', { appId: server.appId, friendlyName: 'nobody' });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ statusCode: String(ErrorCode.USER_NOT_FOUND), statusMsg: expect.any(String) });
  });

  it('takes and answers XML', async () => {
    const created = await classic(
      'POST',
      'SubAccounts',
      `<?xml version="1.0" encoding="utf-8"?><SubAccount><appId>${server.appId}</appId><friendlyName>classic-xml</friendlyName></SubAccount>`,
      'xml',
    );
    expect(created.type).toContain('application/xml');
    expect(created.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><statusCode>000000<\/statusCode><SubAccount><subAccountSid>[0-9a-f]{32}<\/subAccountSid><subToken>/);
    const voipAccount = /<voipAccount>(\d+)<\/voipAccount>/.exec(created.text)![1];

    const page = await classic('POST', 'GetSubAccounts', `<SubAccount><appId>${server.appId}</appId><startNo>0</startNo><offset>100</offset></SubAccount>`, 'xml');
    expect(page.text).toContain(`<voipAccount>${voipAccount}</voipAccount>`);
    expect(page.text).toContain('<totalCount>');

    const bad = await classic('POST', 'SubAccounts', '<SubAccount><appId>', 'xml');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain(`<statusCode>${ErrorCode.REST_BAD_REQUEST}</statusCode>`);
    // what is wrong, in words: the elements left open, or where the parser stopped
    expect(bad.text).toContain('<statusMsg>the XML body does not parse: elements not closed: &lt;SubAccount&gt;, &lt;appId&gt;</statusMsg>');
    const crossed = await classic('POST', 'SubAccounts', '<SubAccount><appId>x</friendlyName></SubAccount>', 'xml');
    expect(crossed.text).toContain('instead of closing tag &apos;friendlyName&apos;. (line 1, column');
  });

  it('names the missing fields of an XML body with an empty root, as it does for {} in JSON', async () => {
    const fromJson = JSON.parse((await classic('POST', 'SubAccounts', '{}', 'json')).text) as { statusMsg: string };
    expect(fromJson.statusMsg).toBe('body/appId is required (a string), body/friendlyName is required (a string)');
    // each its own nonce: the same empty fields in one second would be a replay of the last
    for (const [nonce, body] of ['<SubAccount/>', '<a/>', '<?xml version="1.0" encoding="utf-8"?><SubAccount></SubAccount>', '<SubAccount>\n  </SubAccount>'].entries()) {
      const empty = await classic('POST', 'SubAccounts', body, 'xml', { accept: 'json', nonce });
      expect([body, empty.status, JSON.parse(empty.text)]).toEqual([body, 400, { statusCode: String(ErrorCode.REST_BAD_REQUEST), statusMsg: fromJson.statusMsg }]);
    }
    const one = await classic('POST', 'QuerySubAccountByName', `<SubAccount><appId>${server.appId}</appId></SubAccount>`, 'xml', { accept: 'json' });
    expect(JSON.parse(one.text)).toEqual({ statusCode: String(ErrorCode.REST_BAD_REQUEST), statusMsg: 'body/friendlyName is required (a string)' });
    // a body that is not one root holding fields is still refused as such
    for (const body of ['<SubAccount>just text</SubAccount>', '<a/><b/>']) {
      const wrong = await classic('POST', 'SubAccounts', body, 'xml', { accept: 'json' });
      expect([body, wrong.status, JSON.parse(wrong.text).statusCode]).toEqual([body, 400, String(ErrorCode.REST_BAD_REQUEST)]);
    }
  });

  it('decodes the predefined entities and character references of an XML body, and refuses a DTD, an undeclared entity and a forbidden character', async () => {
    const subAccount = (friendlyName: string, prolog = '') =>
      `<?xml version="1.0" encoding="utf-8"?>${prolog}<SubAccount><appId>${server.appId}</appId><friendlyName>${friendlyName}</friendlyName></SubAccount>`;
    const stored = async (friendlyName: string) => {
      const found = await json('POST', 'QuerySubAccountByName', { appId: server.appId, friendlyName });
      return found.status === 200 ? (found.json.SubAccount.friendlyName as string) : undefined;
    };
    // offset differs between the two counts: the identical request within a second would be a replay
    const count = async (offset: number) => Number((await json('POST', 'GetSubAccounts', { appId: server.appId, startNo: 0, offset })).json.totalCount);

    // a character escaped as XML allows is stored as the character, not as the escape
    const chinese = await classic('POST', 'SubAccounts', subAccount('&#20013;&#x6587;'), 'xml');
    expect([chinese.status, chinese.text]).toEqual([200, expect.stringContaining('<statusCode>000000</statusCode>')]);
    expect(await stored('中文')).toBe('中文');
    expect(await stored('&#20013;&#x6587;')).toBeUndefined();
    const escaped = await classic('POST', 'SubAccounts', subAccount('a&lt;b&amp;c&gt;&quot;&apos;&#x1F426;'), 'xml');
    expect(escaped.status, escaped.text).toBe(200);
    expect(await stored(`a<b&c>"'🐦`)).toBe(`a<b&c>"'🐦`);
    // &amp; is decoded once: what it escapes stays text
    expect((await classic('POST', 'SubAccounts', subAccount('x&amp;lt;'), 'xml')).status).toBe(200);
    expect(await stored('x&lt;')).toBe('x&lt;');

    const before = await count(1);
    const laughs = ['<!ENTITY a0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY a${i + 1} "${`&a${i};`.repeat(10)}">`)].join('');
    const dtds = [
      ['XXE', subAccount('&x;', '<!DOCTYPE SubAccount [<!ENTITY x SYSTEM "file:///etc/passwd">]>'), 'a <!DOCTYPE> declaration (line 1, column 39)'],
      ['billion laughs', subAccount('&a9;', `\n<!DOCTYPE SubAccount [${laughs}]>`), 'a <!DOCTYPE> declaration (line 2, column 1)'],
      ['internal entity', subAccount('&n;', '<!DOCTYPE SubAccount [<!ENTITY n "dtd-bob">]>'), 'a <!DOCTYPE> declaration'],
      ['DOCTYPE alone', subAccount('dtd-alone', '<!DOCTYPE SubAccount>'), 'a <!DOCTYPE> declaration'],
      ['entity without DOCTYPE', subAccount('dtd-entity<!ENTITY n "x">'), 'a <!ENTITY> declaration'],
    ] as const;
    for (const [what, body, found] of dtds) {
      for (const accept of ['xml', 'json'] as const) {
        const refused = await classic('POST', 'SubAccounts', body, 'xml', { accept });
        const answer =
          accept === 'json'
            ? (JSON.parse(refused.text) as { statusCode: string; statusMsg: string })
            : { statusCode: /<statusCode>(\d+)<\/statusCode>/.exec(refused.text)?.[1], statusMsg: /<statusMsg>([^<]*)<\/statusMsg>/.exec(refused.text)?.[1] };
        expect([what, accept, refused.status, answer.statusCode]).toEqual([what, accept, 400, String(ErrorCode.REST_BAD_REQUEST)]);
        expect(answer.statusMsg).toContain('DTDs are not accepted');
        expect(answer.statusMsg).toContain(accept === 'json' ? found : found.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
        expect(refused.text).not.toContain('root:');
      }
    }
    // a CDATA section or a comment holding <!DOCTYPE is text, not a DTD
    const cdata = await classic('POST', 'SubAccounts', subAccount('<![CDATA[<!DOCTYPE x>&x;]]>', '<!-- <!DOCTYPE x> -->'), 'xml');
    expect(cdata.status, cdata.text).toBe(200);
    expect(await stored('<!DOCTYPE x>&x;')).toBe('<!DOCTYPE x>&x;');

    const refusals = [
      ['&#0;', 'a character XML 1.0 does not allow: &#0; (U+0000)'],
      ['a&#xD800;', 'a character XML 1.0 does not allow: &#xD800; (U+D800)'],
      ['&#x110000;', 'a character XML 1.0 does not allow: &#x110000; (beyond U+10FFFF)'],
      ['&#1;', 'a character XML 1.0 does not allow: &#1; (U+0001)'],
      ['&#xFFFF;', 'a character XML 1.0 does not allow: &#xFFFF; (U+FFFF)'],
      ['&unknown;', 'an undeclared entity, &unknown;'],
      ['&copy;2026', 'an undeclared entity, &copy;'],
      ['&constructor;', 'an undeclared entity, &constructor;'],
      ['&#;', 'an & that starts no reference: "&#;"'],
    ] as const;
    for (const [friendlyName, message] of refusals) {
      const refused = await classic('POST', 'SubAccounts', subAccount(friendlyName), 'xml', { accept: 'json' });
      expect([friendlyName, refused.status, JSON.parse(refused.text)]).toEqual([
        friendlyName,
        400,
        { statusCode: String(ErrorCode.REST_BAD_REQUEST), statusMsg: expect.stringContaining(message) },
      ]);
    }
    // every bad reference is Magpie's refusal, in its words and with its place, never the parser's
    // own ("char '&' is not expected"); &#X41; is not XML 1.0 (its CharRef has a lower-case x only)
    const column = (friendlyName: string, index: number) => subAccount(friendlyName).indexOf('<friendlyName>') + '<friendlyName>'.length + index + 1;
    const placed = [
      ['a & b', 'an & that starts no reference: "&" (line 1, column C); write an & itself as &amp;', 2],
      ['&', 'an & that starts no reference: "&" (line 1, column C)', 0],
      ['a&b', 'an & that starts no reference: "&b" (line 1, column C)', 1],
      ['&amp b', 'an & that starts no reference: "&amp" (line 1, column C)', 0],
      ['&#65', 'an & that starts no reference: "&#65" (line 1, column C)', 0],
      ['&#xZZ;', 'an & that starts no reference: "&#xZZ;" (line 1, column C)', 0],
      ['&#X41;', 'a character reference with an upper-case X, &#X41; (line 1, column C): XML writes a hex reference with a lower-case x, &#x41;', 0],
      ['ok&unknown;', 'an undeclared entity, &unknown; (line 1, column C): only', 2],
      ['ok&#0;', 'a character XML 1.0 does not allow: &#0; (U+0000) (line 1, column C)', 2],
    ] as const;
    for (const [friendlyName, message, index] of placed) {
      for (const accept of ['xml', 'json'] as const) {
        const refused = await classic('POST', 'SubAccounts', subAccount(friendlyName), 'xml', { accept });
        const answer =
          accept === 'json'
            ? (JSON.parse(refused.text) as { statusCode: string; statusMsg: string })
            : { statusCode: /<statusCode>(\d+)<\/statusCode>/.exec(refused.text)?.[1], statusMsg: /<statusMsg>([^<]*)<\/statusMsg>/.exec(refused.text)?.[1] };
        const expected = message.replace('C', String(column(friendlyName, index)));
        expect([friendlyName, accept, refused.status, answer.statusCode]).toEqual([friendlyName, accept, 400, String(ErrorCode.REST_BAD_REQUEST)]);
        expect(answer.statusMsg).toContain(accept === 'json' ? expected : expected.replace(/&/g, '&amp;').replace(/"/g, '&quot;'));
        expect(answer.statusMsg).not.toContain('is not expected');
      }
    }
    // lines counted from 1, columns in characters (a Chinese name before it counts one each), in attributes too
    const later = await classic('POST', 'SubAccounts', `<SubAccount>\n  <appId>${server.appId}</appId>\n  <friendlyName>中文 &nbsp;</friendlyName></SubAccount>`, 'xml', { accept: 'json' });
    expect(JSON.parse(later.text)).toEqual({ statusCode: String(ErrorCode.REST_BAD_REQUEST), statusMsg: expect.stringContaining('&nbsp; (line 3, column 20)') });
    const attribute = await classic('POST', 'SubAccounts', `<SubAccount note="a & b"><appId>${server.appId}</appId></SubAccount>`, 'xml', { accept: 'json' });
    expect(JSON.parse(attribute.text)).toEqual({ statusCode: String(ErrorCode.REST_BAD_REQUEST), statusMsg: expect.stringContaining('"&" (line 1, column 21)') });
    // nothing of the refused bodies was stored, entity or escape alike
    expect(await count(2)).toBe(before + 1);
    for (const name of ['&x;', '&a9;', 'dtd-bob', '&n;', 'dtd-alone', '&#0;', '&unknown;', '&copy;2026', 'a & b', 'A', '&#X41;', 'a&b']) expect(await stored(name)).toBeUndefined();
  });

  it('refuses a body that is neither JSON nor XML with 415 REST_UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify({ appId: server.appId, friendlyName: 'classic-plain' });
    for (const contentType of ['text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded']) {
      const reply = await classic('POST', 'SubAccounts', body, 'json', { contentType });
      expect([contentType, reply.status]).toEqual([contentType, 415]);
      expect(JSON.parse(reply.text)).toEqual({ statusCode: String(ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE), statusMsg: 'send JSON (application/json) or XML (application/xml)' });
    }
  });

  it('refuses an XML or JSON body declared in a charset other than UTF-8 with 415, in the classic shape', async () => {
    const body = `<SubAccount><appId>${server.appId}</appId><friendlyName>café-latin1</friendlyName></SubAccount>`;
    for (const contentType of ['application/xml; charset=iso-8859-1', 'text/xml;charset=GB2312']) {
      const reply = await classic('POST', 'SubAccounts', body, 'xml', { contentType, accept: 'json' });
      expect([contentType, reply.status, JSON.parse(reply.text).statusCode]).toEqual([contentType, 415, String(ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE)]);
    }
    const fromJson = await classic('POST', 'SubAccounts', JSON.stringify({ appId: server.appId, friendlyName: 'café-latin1' }), 'json', {
      contentType: 'application/json; charset=latin1',
    });
    expect(JSON.parse(fromJson.text)).toEqual({
      statusCode: String(ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE),
      statusMsg: 'the body is declared charset="latin1": send it in UTF-8 (charset=utf-8, or no charset)',
    });
    expect(server.server.identity.findByFriendlyName(server.appId, 'café-latin1')).toBeUndefined();
    const utf8 = await classic('POST', 'SubAccounts', body, 'xml', { contentType: 'text/xml; charset=UTF-8', accept: 'json' });
    expect(JSON.parse(utf8.text).statusCode).toBe('000000');
  });

  it('answers every classic path in XML, refusals included, and XML to a JSON body when Accept asks', async () => {
    const xml = (fields: Record<string, string>) =>
      `<?xml version="1.0" encoding="utf-8"?><Request>${Object.entries(fields)
        .map(([k, v]) => `<${k}>${v}</${k}>`)
        .join('')}</Request>`;
    const tag = (text: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];

    const info = await classic('GET', 'AccountInfo', undefined, 'xml');
    expect([info.status, tag(info.text, 'statusCode'), tag(info.text, 'accountSid')]).toEqual([200, '000000', server.accountSid]);
    expect(info.type).toContain('application/xml');

    const created = await classic('POST', 'SubAccounts', xml({ appId: server.appId, friendlyName: 'xml-all' }), 'xml');
    expect(tag(created.text, 'statusCode')).toBe('000000');
    const subAccountSid = tag(created.text, 'subAccountSid')!;
    for (const field of ['subToken', 'voipAccount', 'voipPwd', 'dateCreated']) expect(tag(created.text, field)).toBeTruthy();

    const found = await classic('POST', 'QuerySubAccountByName', xml({ appId: server.appId, friendlyName: 'xml-all' }), 'xml');
    expect([tag(found.text, 'statusCode'), tag(found.text, 'subAccountSid')]).toEqual(['000000', subAccountSid]);

    const page = await classic('POST', 'GetSubAccounts', JSON.stringify({ appId: server.appId, startNo: 0, offset: 100 }), 'json', { accept: 'xml' });
    expect(page.type).toContain('application/xml');
    expect(page.text).toContain(`<subAccountSid>${subAccountSid}</subAccountSid>`);

    const closed = await classic('POST', 'CloseSubAccount', xml({ appId: server.appId, subAccountSid }), 'xml');
    expect([closed.status, tag(closed.text, 'statusCode')]).toEqual([200, '000000']);

    const wrongToken = await classic('GET', 'AccountInfo', undefined, 'xml', { token: 'f'.repeat(32) });
    expect([wrongToken.status, tag(wrongToken.text, 'statusCode')]).toEqual([401, String(ErrorCode.REST_AUTH_FAILED)]);
    expect(tag(wrongToken.text, 'statusMsg')).toBeTruthy();
    const stale = await classic('GET', 'AccountInfo', undefined, 'xml', { atMs: Date.now() - 10 * 60_000 });
    expect([stale.status, tag(stale.text, 'statusCode')]).toEqual([401, String(ErrorCode.REST_SIGNATURE_EXPIRED)]);
    // a stale timestamp says which clock it was read on (a UTC timestamp is the usual mistake)
    expect(tag(stale.text, 'statusMsg')).toContain('UTC+8');
    const missing = await classic('POST', 'QuerySubAccountByName', xml({ appId: server.appId, friendlyName: 'nobody-xml' }), 'xml');
    expect([missing.status, tag(missing.text, 'statusCode')]).toEqual([404, String(ErrorCode.USER_NOT_FOUND)]);
  });
});
