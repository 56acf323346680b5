import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isSafeExternalUrl, secureWebPreferences, isPermissionAllowed } from '../../../main/shell/window-policy';

describe('window policy', () => {
  it('keeps every window sandboxed and isolated, with no Node', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
  });

  it('allows no inline or remote script in the page', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('hands only web and mail links to the system browser', () => {
    expect(isSafeExternalUrl('https://example.org/a?b=c')).toBe(true);
    expect(isSafeExternalUrl('mailto:someone@example.org')).toBe(true);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('smb://host/share')).toBe(false);
    expect(isSafeExternalUrl('https://user:pw@example.org/')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });

  it('lets only its own window have the microphone, and nothing else', () => {
    expect(isPermissionAllowed({ permission: 'media', mediaTypes: ['audio'], ownWindow: true })).toBe(true);
    expect(isPermissionAllowed({ permission: 'media', mediaTypes: ['audio'], ownWindow: false })).toBe(false);
    expect(isPermissionAllowed({ permission: 'media', mediaTypes: ['audio', 'video'], ownWindow: true })).toBe(false);
    expect(isPermissionAllowed({ permission: 'media', mediaTypes: [], ownWindow: true })).toBe(false);
    expect(isPermissionAllowed({ permission: 'media', ownWindow: true })).toBe(false);
    expect(isPermissionAllowed({ permission: 'geolocation', ownWindow: true })).toBe(false);
    expect(isPermissionAllowed({ permission: 'notifications', ownWindow: true })).toBe(false);
  });
});
