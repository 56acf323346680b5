import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file in a profile folder that names this device to the server. */
export const DEVICE_ID_FILE = 'device-id';

/**
 * This profile's device id: made once and kept, so the server sees the same device after every
 * restart (its sessions, its kick-by-device rules).
 */
export function loadDeviceId(profileDir: string): string {
  const file = join(profileDir, DEVICE_ID_FILE);
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  }
  const id = randomUUID();
  writeFileSync(file, id, { mode: 0o600 });
  return id;
}
