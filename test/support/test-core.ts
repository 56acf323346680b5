import { join } from 'node:path';
import pino from 'pino';
import { MagpieCore, type MagpieCoreOptions } from '../../main/core/magpie-core';
import { fastTestTuning } from '../../main/engine/tuning';
import { createKeyFileSecretBox } from '../../main/settings/secret-box';

/**
 * The desktop core as a test drives it: the web shell, a key-file secret box in the profile, no
 * notifications, no events, a silent log and the fast engine timings; `overrides` replace any of it.
 */
export function openTestCore(profileDir: string, overrides: Partial<MagpieCoreOptions> = {}): MagpieCore {
  return new MagpieCore({
    profileDir,
    shell: 'web',
    version: '0.0.0',
    secretBox: createKeyFileSecretBox(join(profileDir, 'secret.key')),
    notifier: { notify: () => undefined },
    emit: () => undefined,
    log: pino({ level: 'silent' }),
    tuning: fastTestTuning,
    ...overrides,
  });
}
