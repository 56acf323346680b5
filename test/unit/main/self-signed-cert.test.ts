import { X509Certificate } from 'node:crypto';
import { expect, it } from 'vitest';
import { createSelfSignedCert } from '../../../main/local-server/self-signed-cert';

it('every certificate is valid DER: its random serial is a positive INTEGER in its shortest form', () => {
  // a serial whose first byte came out 0x00 was padding DER refuses ("illegal padding"), about once in 30,000
  for (let i = 0; i < 300; i++) {
    const cert = createSelfSignedCert({ commonName: 'Magpie local server', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
    const parsed = new X509Certificate(cert.certPem);
    expect(parsed.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(parsed.fingerprint256).toBe(cert.fingerprint256);
  }
});
