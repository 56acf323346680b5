/**
 * Finds the contract for this page: Electron's preload puts it on window.magpie; in the web shell
 * the page builds it over a WebSocket to the server that served it, with the token from its URL.
 */
import type { MagpieApi } from '../../../preload/api';
import { createWebBridge, webSocketUrl, type SocketLike, type WebBridge } from './web-bridge';

export function resolveApi(win: Window): { api: MagpieApi; bridge: WebBridge | null } {
  const injected = (win as unknown as { magpie?: MagpieApi }).magpie;
  if (injected) return { api: injected, bridge: null };
  const bridge = createWebBridge({
    url: webSocketUrl(win.location),
    // the DOM's handler types name MessageEvent; the bridge needs only its data field
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    timers: {
      setTimeout: (callback, delayMs) => win.setTimeout(callback, delayMs),
      clearTimeout: (handle) => win.clearTimeout(handle as number),
    },
  });
  return { api: bridge, bridge };
}
