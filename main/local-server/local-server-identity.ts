import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createSelfSignedCert } from './self-signed-cert';

/**
 * Who the local demo server is: a TLS key made at its first start, kept in its data folder (mode
 * 0600). Whatever listens on the local ports is taken for our server only when it finishes a TLS
 * handshake with that key's certificate, whose fingerprint is recorded beside it.
 */
export const CERT_FILE = 'local-tls.crt';
export const KEY_FILE = 'local-tls.key';
export const IDENTITY_FILE = 'local-server.json';

export interface LocalServerRecord {
  readonly fingerprint256: string;
  readonly host: string;
  readonly port: number;
  readonly tlsPort: number;
  /** Its HTTP port (files, REST, the developer console); absent in records written before it was kept. */
  readonly httpPort?: number;
  /** The server process, once started (to stop it by hand: kill PID). */
  readonly pid?: number;
}

/** The data folder's certificate, made on first use; several shells racing make it once. */
export function ensureIdentity(dataDir: string): { certFile: string; keyFile: string; fingerprint256: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const certFile = join(dataDir, CERT_FILE);
  const keyFile = join(dataDir, KEY_FILE);
  try {
    return { certFile, keyFile, fingerprint256: new X509Certificate(readFileSync(certFile)).fingerprint256 };
  } catch {
    const made = createSelfSignedCert({ commonName: 'Magpie local server', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
    try {
      // the key first and exclusive: a shell that loses the race reads the winner's pair
      writeFileSync(keyFile, made.keyPem, { flag: 'wx', mode: 0o600 });
      writeFileSync(certFile, made.certPem, { mode: 0o644 });
      return { certFile, keyFile, fingerprint256: made.fingerprint256 };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { certFile, keyFile, fingerprint256: readWhenWritten(certFile) };
    }
  }
}

function readWhenWritten(certFile: string): string {
  const deadline = Date.now() + 2_000;
  for (;;) {
    try {
      return new X509Certificate(readFileSync(certFile)).fingerprint256;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

export function readRecord(dataDir: string): LocalServerRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(join(dataDir, IDENTITY_FILE), 'utf8')) as LocalServerRecord;
    return typeof value.fingerprint256 === 'string' && Number.isInteger(value.port) && Number.isInteger(value.tlsPort) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(dataDir: string, record: LocalServerRecord): void {
  writeFileSync(join(dataDir, IDENTITY_FILE), JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
}

/** What answers on host:port's TLS side: the certificate's fingerprint, or undefined when nothing TLS answers. */
export function peerFingerprint(host: string, port: number, timeoutMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    // not verified against a CA on purpose: the handshake itself proves the peer holds the
    // certificate's key, and the fingerprint says whose certificate it is
    const socket = tlsConnect({ host, port, rejectUnauthorized: false });
    const done = (fingerprint: string | undefined): void => {
      socket.destroy();
      resolve(fingerprint);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('secureConnect', () => done(socket.getPeerX509Certificate()?.fingerprint256));
    socket.once('error', () => done(undefined));
  });
}

export function portAccepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
