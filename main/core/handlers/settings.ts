import type { Settings } from '../../../preload/api';
import { loadSettings, saveSettings } from '../../settings/settings-file';
import type { HandlerSlice } from './deps';

/** The profile's settings, read once and written through on every change. */
export interface SettingsState {
  get(): Settings;
  update(patch: Partial<Settings>): Settings;
}

export function createSettingsState(file: string): SettingsState {
  let settings = loadSettings(file);
  return {
    get: () => settings,
    update: (patch) => {
      settings = { ...settings, ...patch };
      saveSettings(file, settings);
      return settings;
    },
  };
}

export function createSettingsHandlers(deps: { readonly settings: SettingsState }): HandlerSlice<'settings.get' | 'settings.update'> {
  return {
    'settings.get': () => ({ ...deps.settings.get() }),
    'settings.update': (args) => ({ ...deps.settings.update(args) }),
  };
}
