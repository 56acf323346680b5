import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFiles {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM text: what a client given --ca trusts. */
  readonly certPem: string;
}

/**
 * A fresh self-signed certificate (P-256) in dir, made by the openssl binary so the code under
 * test does not vouch for its own input. It names `names` (DNS names or IPs) in subjectAltName.
 */
export function makeSelfSignedCert(dir: string, names: readonly string[] = ['127.0.0.1', 'localhost'], prefix = 'server'): CertFiles {
  const certFile = join(dir, `${prefix}.crt`);
  const keyFile = join(dir, `${prefix}.key`);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${names[0] ?? 'magpie'}`, '-addext', `subjectAltName=${san}`],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}
