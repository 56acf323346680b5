import { createServer } from 'node:net';

/** A port free right now on 127.0.0.1 (the system's pick, let go at once), for a server that must be given one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
