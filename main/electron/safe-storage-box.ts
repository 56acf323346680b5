import { safeStorage } from 'electron';
import type { SecretBox } from '../settings/secret-box';

/**
 * Secrets sealed by the OS keychain (Keychain, DPAPI, libsecret); undefined where none is
 * available, or where Linux has no keyring and Electron would fall back to a fixed key.
 */
export function createSafeStorageBox(): SecretBox | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return undefined;
  return {
    seal: (plain) => safeStorage.encryptString(plain),
    open: (sealed) => safeStorage.decryptString(sealed),
  };
}
