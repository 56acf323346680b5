import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { ErrorCode, MagpieError } from '../../protocol';
import type { ResolvedAddress } from './address-book';
import { connectTcp, type ConnectFn } from './address-racer';
import type { LinkSocket } from './link';

/** What the client trusts when it speaks TLS, and whether bare remote addresses may go plain. */
export interface TransportOptions {
  /** PEM certificates trusted besides the system's: a self-signed deployment's CA (--ca FILE). */
  readonly caPem?: string;
  /** Bare addresses off this machine go plain (--insecure-plain); tls:// still means TLS. */
  readonly insecurePlain?: boolean;
}

export type TransportSocket = LinkSocket & { destroy(): void };

/**
 * OpenSSL's verdicts on a certificate (as Node names them) and Node's own name check: the server
 * is not who the address says. Retrying cannot change any of them, so they are never retried.
 */
const CERTIFICATE_ERRORS: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isCertificateError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CERTIFICATE_ERRORS.has(code);
}

/**
 * The roots a TLS connect trusts: Node's defaults, the operating system's store where this Node
 * can read it (22.15 and later), and the user's own CA. Undefined keeps Node's defaults.
 */
export function trustedCertificates(caPem: string | undefined): string[] | undefined {
  const read = (tls as { getCACertificates?: (type: 'default' | 'system') => string[] }).getCACertificates;
  const system = read ? [...read('default'), ...read('system')] : undefined;
  if (caPem === undefined) return system;
  return [...(system ?? tls.rootCertificates), caPem];
}

/** A TLS ConnectFn: resolves once the handshake verified the server's certificate for the address's name. */
export function connectTls(address: ResolvedAddress, signal: AbortSignal, options: TransportOptions = {}): Promise<tls.TLSSocket> {
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const ca = trustedCertificates(options.caPem);
    const socket = tls.connect({
      host: address.ip,
      port: address.port,
      // the certificate must name what the user wrote: the host name, or the IP itself
      ...(isIP(address.host) === 0 ? { servername: address.host } : {}),
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(address.host, cert),
      ...(ca ? { ca } : {}),
    });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (isCertificateError(error)) {
        reject(
          new MagpieError(
            ErrorCode.CERTIFICATE_REJECTED,
            `${address.key}: the server's TLS certificate is not trusted (${error.code}: ${error.message}); ` +
              'give its CA with --ca FILE (or the login\'s advanced CA setting)',
            { cause: error },
          ),
        );
      } else if (error.code === 'EPROTO' || error.code?.startsWith('ERR_SSL_')) {
        // bytes that are not TLS came back (a plain Magpie port answers a TLS hello with a plain
        // ERROR): say what is likely wrong. A reset is not taken for it: a restarting server or a
        // middlebox resets real TLS ports too, and the advice would be to drop encryption
        reject(
          new MagpieError(
            ErrorCode.TLS_UNAVAILABLE,
            `${address.key}: TLS handshake failed (${error.message}); a plain server's address is written tcp://${address.key}`,
            { cause: error, address: address.key },
          ),
        );
      } else {
        reject(error);
      }
    });
  });
}

/** Connects each address by its transport: TLS, or plain TCP where the address says so. */
export function createTransportConnect(options: TransportOptions = {}): ConnectFn<TransportSocket> {
  return (address, signal) => (address.transport === 'tls' ? connectTls(address, signal, options) : connectTcp(address, signal));
}
