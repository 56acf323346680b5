import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a user's Magpie profile lives when none is given: the platform's per-user config folder.
 * MAGPIE_PROFILE overrides it (tests, several profiles side by side).
 */
export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['MAGPIE_PROFILE']) return env['MAGPIE_PROFILE'];
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Magpie');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Magpie');
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'magpie');
}
