import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { LoginAuth, RememberedAccount, ServerLimits, Settings } from '../../preload/api';
import type { SecretBox } from './secret-box';

export const DEFAULT_SETTINGS: Settings = {
  notifications: true,
  preview: 'full',
  language: 'system',
  theme: 'system',
  servers: ['127.0.0.1:8883'],
};

const settingsSchema = z.object({
  notifications: z.boolean(),
  preview: z.enum(['full', 'sender', 'none']),
  language: z.enum(['system', 'zh-CN', 'en']),
  theme: z.enum(['system', 'light', 'dark']),
  servers: z.array(z.string()).min(1),
  // a file from before this field, or with a method this version does not know, keeps the rest
  signInMethod: z.object({
    type: z.enum(['password', 'appToken', 'signed']),
    algorithm: z.enum(['hmac-sha256', 'md5']).optional(),
  }).optional().catch(undefined),
});

const positiveInt = z.number().int().positive();
const serverLimitsSchema = z.object({
  revokeWindowMs: positiveInt,
  mediaBytes: z.object({ image: positiveInt, voice: positiveInt, file: positiveInt }),
  maxVoiceDurationMs: positiveInt,
});

const rememberedSchema = z.object({
  servers: z.array(z.string()).min(1),
  appId: z.string(),
  user: z.string(),
  /** The LoginAuth as JSON, sealed by the SecretBox, in base64; gone after a plain sign-out. */
  sealedAuth: z.string().optional(),
  caFile: z.string().optional(),
  /** Addresses the service advertised at login (docs/client.md); checked again when used. */
  learnedServers: z.array(z.string()).optional(),
  /** The limits the server last told at login: a restore uses them until its own login; a broken entry keeps the rest. */
  serverLimits: serverLimitsSchema.optional().catch(undefined),
});

export interface RememberedLogin {
  readonly servers: string[];
  readonly appId: string;
  readonly auth: LoginAuth;
  readonly caFile?: string;
  /** Addresses the service advertised: raced after servers, never instead of them. */
  readonly learnedServers?: string[];
  /** What the server last told it takes (not secret): a restored session's limits until its first login. */
  readonly serverLimits?: ServerLimits;
}

/** What the server told an earlier session (advertised addresses, limits), kept with its login for the next start. */
export type RememberedFromServer = Pick<RememberedLogin, 'learnedServers' | 'serverLimits'>;

/** Writes a JSON file whole: to a temp file, then renamed, so a crash never leaves half of it. */
function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(value, null, 2), { mode: 0o600 });
  renameSync(temp, file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The profile's settings.json: a broken or missing file gives the defaults. */
export function loadSettings(file: string): Settings {
  const parsed = settingsSchema.safeParse(readJson(file));
  return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
}

export function saveSettings(file: string, settings: Settings): void {
  writeJsonAtomic(file, settings);
}

/** The remembered login, its secret sealed; undefined when none or when it cannot be opened. */
export function loadRememberedLogin(file: string, box: SecretBox): RememberedLogin | undefined {
  const parsed = rememberedSchema.safeParse(readJson(file));
  // signed out: the account is remembered, its secret is not
  if (!parsed.success || parsed.data.sealedAuth === undefined) return undefined;
  try {
    const auth = JSON.parse(box.open(Buffer.from(parsed.data.sealedAuth, 'base64'))) as LoginAuth;
    return {
      servers: parsed.data.servers,
      appId: parsed.data.appId,
      auth,
      ...(parsed.data.caFile ? { caFile: parsed.data.caFile } : {}),
      ...(parsed.data.learnedServers?.length ? { learnedServers: parsed.data.learnedServers } : {}),
      ...(parsed.data.serverLimits ? { serverLimits: parsed.data.serverLimits } : {}),
    };
  } catch {
    return undefined;
  }
}

export function saveRememberedLogin(file: string, box: SecretBox, login: RememberedLogin): void {
  writeJsonAtomic(file, {
    servers: login.servers,
    appId: login.appId,
    user: login.auth.user,
    sealedAuth: box.seal(JSON.stringify(login.auth)).toString('base64'),
    ...(login.caFile ? { caFile: login.caFile } : {}),
    ...(login.learnedServers?.length ? { learnedServers: login.learnedServers } : {}),
    ...(login.serverLimits ? { serverLimits: login.serverLimits } : {}),
  });
}

/** The remembered account (servers, app, user, CA file), with or without its secret; undefined when none. */
export function loadRememberedAccount(file: string): RememberedAccount | undefined {
  const parsed = rememberedSchema.safeParse(readJson(file));
  if (!parsed.success) return undefined;
  const { servers, appId, user, caFile } = parsed.data;
  return { servers, appId, userId: user, ...(caFile ? { caFile } : {}) };
}

/**
 * A plain sign-out: the remembered login keeps its account for the sign-in form and loses its
 * sealed secret (and the advertised addresses and the server's limits, which only a restore used), so the next start
 * does not sign in.
 */
export function forgetRememberedSecret(file: string): void {
  const account = loadRememberedAccount(file);
  if (!account) {
    // none, or one this version cannot read: no secret of it stays behind either
    rmSync(file, { force: true });
    return;
  }
  writeJsonAtomic(file, { servers: account.servers, appId: account.appId, user: account.userId, ...(account.caFile ? { caFile: account.caFile } : {}) });
}
