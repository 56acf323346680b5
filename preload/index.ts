/**
 * Exposes `window.magpie`: the contract of preload/api.ts and nothing more. Runs in a sandboxed
 * window, so it is bundled to CommonJS and imports only 'electron'.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type MagpieApi } from './api';

const api: MagpieApi = {
  invoke: (method, args) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, args),
  on: (event, listener) => {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('magpie', api);
