import { describe, expect, it } from 'vitest';
import { allowsPermission, contentSecurityPolicy, isSafeExternalUrl, secureWebPreferences } from '../../../main/shell/window-policy';

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

  it('grants our own window the microphone for voice messages, and nothing else to anyone', () => {
    expect(allowsPermission({ permission: 'media', mediaTypes: ['audio'], fromOwnWindow: true })).toBe(true);
    expect(allowsPermission({ permission: 'media', mediaTypes: ['audio'], fromOwnWindow: false })).toBe(false);
    expect(allowsPermission({ permission: 'media', mediaTypes: ['audio', 'video'], fromOwnWindow: true })).toBe(false);
    expect(allowsPermission({ permission: 'media', mediaTypes: ['video'], fromOwnWindow: true })).toBe(false);
    expect(allowsPermission({ permission: 'media', mediaTypes: [], fromOwnWindow: true })).toBe(false);
    expect(allowsPermission({ permission: 'media', fromOwnWindow: true })).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'display-capture', 'clipboard-read', 'openExternal']) {
      expect(allowsPermission({ permission, fromOwnWindow: true })).toBe(false);
    }
  });
});
