/**
 * What every Magpie window may and may not do. Plain data and functions so both shells share it
 * and it is tested without Electron.
 */

/** The page's Content-Security-Policy: our own scripts and styles only, no eval, no remote code. */
export function contentSecurityPolicy(options: { connectSources?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Vue's scoped styles are bundled into our own CSS file; inline style attributes are set by Vue bindings
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "media-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

const EXTERNAL_SCHEMES = new Set(['https:', 'http:', 'mailto:']);

/** Whether a link may be handed to the system browser: web and mail links only, well formed. */
export function isSafeExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!EXTERNAL_SCHEMES.has(parsed.protocol)) return false;
  if (parsed.protocol !== 'mailto:' && parsed.hostname === '') return false;
  return !parsed.username && !parsed.password;
}

/** The web preferences of every window: sandboxed, isolated, no Node. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/**
 * Whether a page may have a permission it asks for: only Magpie's own window, and only the
 * microphone (a voice message); camera, screen, location, notifications and the rest are refused.
 */
export function isPermissionAllowed(request: { readonly permission: string; readonly mediaTypes?: readonly string[]; readonly ownWindow: boolean }): boolean {
  if (!request.ownWindow || request.permission !== 'media') return false;
  const types = request.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'audio');
}
