import { describe, expect, it } from 'vitest';
import { askedPorts, elsewhereLine, portTakenLine, resolveWebPorts } from '../../../main/web/web-ports';

describe('npm run web: reading its ports', () => {
  it('takes defaults, then variables, then flags (a flag wins; an empty variable is not given)', () => {
    expect(resolveWebPorts({}, {})).toEqual({ page: 0, demo: 8883, demoTls: 8884, demoHttp: 8885 });
    expect(resolveWebPorts({}, { MAGPIE_WEB_PORT: '4100', MAGPIE_DEMO_PORT: '9883', MAGPIE_DEMO_TLS_PORT: '' })).toEqual({
      page: 4100,
      demo: 9883,
      demoTls: 8884,
      demoHttp: 8885,
    });
    expect(resolveWebPorts({ demo: '9993' }, { MAGPIE_DEMO_PORT: '9883' }).demo).toBe(9993);
  });

  it('says which flag or variable is not a port', () => {
    expect(() => resolveWebPorts({ demo: '0' }, {})).toThrow('--demo-port must be a port number (1-65535), not "0"');
    expect(() => resolveWebPorts({}, { MAGPIE_DEMO_HTTP_PORT: '70000' })).toThrow('MAGPIE_DEMO_HTTP_PORT must be a port number (1-65535), not "70000"');
    expect(() => resolveWebPorts({ page: '8o' }, {})).toThrow('--port must be a port number (0-65535), not "8o"');
    expect(() => resolveWebPorts({ page: '-1' }, {})).toThrow('--port must be a port number');
  });

  it('refuses two given ports with the same number, not a given one equal to an unused default', () => {
    expect(() => resolveWebPorts({ demo: '9000', demoHttp: '9000' }, {})).toThrow('--demo-port and --demo-http-port are both port 9000: each needs its own port');
    expect(() => resolveWebPorts({ page: '9001' }, { MAGPIE_DEMO_TLS_PORT: '9001' })).toThrow('--port and MAGPIE_DEMO_TLS_PORT are both port 9001');
    // the page on 8883 with no demo port given: the demo server may be reused elsewhere
    expect(resolveWebPorts({ page: '8883' }, {}).page).toBe(8883);
    expect(resolveWebPorts({ page: '0', demo: '9000' }, { MAGPIE_WEB_PORT: '0' }).page).toBe(0);
  });

  it('knows which ports were asked for, and how', () => {
    expect(askedPorts({}, {})).toEqual({});
    expect(askedPorts({ demo: '1' }, { MAGPIE_DEMO_HTTP_PORT: '2', MAGPIE_DEMO_TLS_PORT: '' })).toEqual({ demo: '--demo-port', demoHttp: 'MAGPIE_DEMO_HTTP_PORT' });
  });

  it('says a taken port and a demo server running elsewhere in one line each', () => {
    expect(portTakenLine('demoTls', 8884)).toBe(
      "Port 8884 on 127.0.0.1 (the demo server's TLS port) is taken by another program: pick another with --demo-tls-port N or MAGPIE_DEMO_TLS_PORT=N.",
    );
    expect(elsewhereLine({ host: '127.0.0.1', port: 9883, tlsPort: 9884, httpPort: undefined, pid: undefined })).toBe(
      "this user's demo server already runs on 127.0.0.1:9883 (TLS 9884). To use it, start with --demo-port 9883 --demo-tls-port 9884, " +
        'or with no --demo-* flags and no MAGPIE_DEMO_* variables; to move it, stop it first.',
    );
  });
});
