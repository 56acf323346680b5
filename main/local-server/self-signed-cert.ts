import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';

/**
 * A self-signed X.509 certificate (ECDSA P-256, SHA-256) for the local demo server's TLS port,
 * made with node:crypto alone: the desktop app cannot count on an openssl binary (Windows has
 * none). Its fingerprint is the local server's identity: only the process holding the key can
 * finish a TLS handshake with it, so a stranger on the port cannot pass for our server.
 */
export interface SelfSignedCert {
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-256 of the DER certificate, as X509Certificate.fingerprint256 writes it (AA:BB:...). */
  readonly fingerprint256: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...content: Buffer[]): Buffer => tlv(0x30, ...content);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [a * 40 + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime YYMMDDHHMMSSZ: enough for dates before 2050. */
function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

export function createSelfSignedCert(options: {
  commonName: string;
  /** IPv4 addresses the certificate names. */
  ips: readonly string[];
  dnsNames: readonly string[];
  now?: Date;
}): SelfSignedCert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = options.now ?? new Date();
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const serial = randomBytes(16);
  // a positive INTEGER in its shortest form: a leading 0x00 byte would be padding DER refuses
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const altNames = seq(
    ...options.ips.map((ip) => tlv(0x87, ipBytes(ip))),
    ...options.dnsNames.map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
  );
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid('2.5.29.19'), tlv(0x04, seq())), // basicConstraints: not a CA
      seq(oid('2.5.29.17'), tlv(0x04, altNames)),
    ),
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version 3
    tlv(0x02, serial),
    ecdsaWithSha256,
    name(options.commonName),
    seq(utcTime(new Date(now.getTime() - 24 * 3600_000)), utcTime(new Date(Date.UTC(2049, 11, 31, 23, 59, 59)))),
    name(options.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ecdsaWithSha256, tlv(0x03, Buffer.from([0]), signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return {
    certPem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint256: new X509Certificate(certPem).fingerprint256,
  };
}
