import { app, dialog, shell, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { DesktopFiles } from '../files/desktop-files';

/**
 * Open and save for media in the Electron shell: the system's default app (shell.openPath) and
 * the system's save dialog, starting in the Downloads folder. Thin: the core decides what file.
 */
export function createElectronFiles(window: () => BrowserWindow | undefined): DesktopFiles {
  return {
    openPath: (path) => shell.openPath(path),
    async askSavePath(suggestedName) {
      const options = { defaultPath: join(app.getPath('downloads'), suggestedName) };
      const owner = window();
      const answer = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
      return answer.canceled || !answer.filePath ? undefined : answer.filePath;
    },
  };
}
