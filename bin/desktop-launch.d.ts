/** Types of desktop-launch.js, for the tests that drive it. */
export declare const WINDOW_READY_LINE: string;

export type DesktopResult = { opened: true; code: number } | { opened: false; reason: string };

interface Streams {
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export declare function hasDisplay(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): boolean;
export declare function resolveElectron(options: { root: string; env?: NodeJS.ProcessEnv } & Streams): Promise<{ path: string; error?: undefined } | { error: string; path?: undefined }>;
export declare function launchElectron(
  options: { electronPath: string; root: string; args?: readonly string[]; env?: NodeJS.ProcessEnv } & Streams,
): Promise<DesktopResult>;
export declare function openDesktopApp(
  options: { root: string; args?: readonly string[]; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } & Streams,
): Promise<DesktopResult>;
