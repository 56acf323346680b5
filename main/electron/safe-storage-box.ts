import { safeStorage } from 'electron';
import type { SecretBox } from '../settings/secret-box';

/** Secrets sealed by the OS keychain (Keychain, DPAPI, libsecret); undefined where none is available. */
export function createSafeStorageBox(): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    seal: (plain) => safeStorage.encryptString(plain),
    open: (sealed) => safeStorage.decryptString(sealed),
  };
}
