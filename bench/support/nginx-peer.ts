/**
 * nginx (Debian's package) as the file-transfer peer: started by hand with a config of its own on
 * a loopback port, serving one folder for downloads and taking PUT uploads (the dav module) into
 * another; stopped by its PID. Resolves undefined when nginx is not installed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, installedVersion } from './peers';
import { sleep } from './stats';

export interface NginxPeer {
  readonly version: string;
  readonly port: number;
  /** Files put here are served at /files/NAME. */
  readonly servedDir: string;
  stop(): Promise<void>;
}

export async function startNginx(workDir: string): Promise<NginxPeer | undefined> {
  const version = installedVersion('nginx');
  if (version === undefined) return undefined;
  const port = await freePort();
  const servedDir = join(workDir, 'served');
  const uploadDir = join(workDir, 'uploads');
  for (const dir of [servedDir, uploadDir, join(workDir, 'tmp')]) mkdirSync(dir, { recursive: true });
  const config = join(workDir, 'nginx.conf');
  writeFileSync(
    config,
    `worker_processes 1;
pid ${join(workDir, 'nginx.pid')};
error_log ${join(workDir, 'error.log')} warn;
user root;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path ${join(workDir, 'tmp')};
  proxy_temp_path ${join(workDir, 'tmp')};
  fastcgi_temp_path ${join(workDir, 'tmp')};
  uwsgi_temp_path ${join(workDir, 'tmp')};
  scgi_temp_path ${join(workDir, 'tmp')};
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 200m;
    location /files/ { alias ${servedDir}/; }
    location /uploads/ { alias ${uploadDir}/; dav_methods PUT; create_full_put_path on; }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', config, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    const answered = await fetch(`http://127.0.0.1:${port}/files/`).then(
      () => true,
      () => false,
    );
    if (answered) break;
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${String(child.exitCode)}`);
    await sleep(100);
  }
  return {
    version,
    port,
    servedDir,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
