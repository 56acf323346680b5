import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsConfig } from '../config';

/**
 * Why the --tls-cert/--tls-key pair cannot serve, or undefined when it can: each file readable and
 * PEM of its kind, the key the certificate's. Checked before anything opens, so the one line names
 * the flag and the file, where the TLS listener said only 'PEM routines::no start line'.
 */
export function tlsFilesProblem(tls: Pick<TlsConfig, 'certFile' | 'keyFile'>): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(tls.certFile));
  } catch (error) {
    return `--tls-cert ${tls.certFile}: ${reason(error, 'a PEM certificate (-----BEGIN CERTIFICATE-----)')}`;
  }
  let key;
  try {
    const pem = readFileSync(tls.keyFile);
    // the server takes no passphrase; OpenSSL would only say 'interrupted or cancelled'
    if (/ENCRYPTED/.test(pem.toString('latin1'))) return `--tls-key ${tls.keyFile}: the key is encrypted: give it without a passphrase (openssl pkey -in KEY -out PLAIN.key)`;
    key = createPrivateKey(pem);
  } catch (error) {
    return `--tls-key ${tls.keyFile}: ${reason(error, 'a PEM private key (-----BEGIN PRIVATE KEY-----)')}`;
  }
  if (!cert.checkPrivateKey(key)) return `--tls-key ${tls.keyFile} is not the key of --tls-cert ${tls.certFile}`;
  return undefined;
}

function reason(error: unknown, wanted: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  // a file system error says what happened to the file; anything else is what the bytes are not
  return typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_') ? (error as Error).message : `not ${wanted}`;
}
