/**
 * A shell that starts the local demo server and quits at once: `node --import tsx this.ts BIN
 * DATADIR PORT TLSPORT HTTPPORT` prints the LocalServer as JSON, then exits while the server runs on.
 */
import { ensureLocalServer } from '../../main/local-server/local-server';

const [serverBin, dataDir, port, tlsPort, httpPort] = process.argv.slice(2) as [string, string, string, string, string];
const server = await ensureLocalServer({ serverBin, dataDir, port: Number(port), tlsPort: Number(tlsPort), httpPort: Number(httpPort) });
process.stdout.write(JSON.stringify(server));
process.exit(0);
