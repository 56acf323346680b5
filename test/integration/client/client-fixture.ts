import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { WireLimits } from '../../../protocol';
import type { EventName, EventPayloads, MessageView, MethodArgs, MethodName, MethodResult, Result } from '../../../preload/api';
import { createDispatch } from '../../../main/api/dispatch';
import { MagpieCore } from '../../../main/core/magpie-core';
import type { DesktopFiles } from '../../../main/files/desktop-files';
import type { NotificationRequest } from '../../../main/notifications/notification-policy';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { MagpieClient } from '../../../main/client/magpie-client';
import { loginRequest } from '../../../main/client/login-request';
import type { TransportOptions } from '../../../main/engine/transport';
import { fastTestTuning, type EngineTuning } from '../../../main/engine/tuning';
import type { TestServer } from '../../support/test-server';

/** A desktop core signed in with the app token, called through the shells' own boundary. */
export interface TestCore {
  readonly core: MagpieCore;
  readonly profileDir: string;
  /** A contract call, schemas included, typed as the page sees it. */
  call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>>;
  /** What the OS notifier was asked to show (the notifier itself is outside our system). */
  readonly notifications: NotificationRequest[];
  readonly events: Array<{ event: EventName; payload: unknown }>;
  upserted(): MessageView[];
  progress(): Array<EventPayloads['media.progress']>;
  states(): string[];
}

/** Temp profile folders, and clients and cores logged in with the app token, all undone by cleanup(). */
export interface ClientFixture {
  profile(): Promise<string>;
  client(
    server: Pick<TestServer, 'appId' | 'appToken' | 'port'>,
    user: string,
    options?: {
      profileDir?: string;
      servers?: string[];
      tuning?: Partial<EngineTuning>;
      transport?: TransportOptions;
      limits?: WireLimits;
      log?: Logger;
      /** Another device of the same user (default: `test-<user>`). */
      deviceId?: string;
    },
  ): Promise<MagpieClient>;
  /** A core for user, its window focused or not, in a fresh profile unless one is given. */
  core(server: Pick<TestServer, 'appId' | 'appToken' | 'port'>, user: string, options?: { focused?: boolean; profileDir?: string; desktopFiles?: DesktopFiles; tuning?: Partial<EngineTuning> }): Promise<TestCore>;
  cleanup(): Promise<void>;
}

export function createClientFixture(): ClientFixture {
  const folders: string[] = [];
  const clients: MagpieClient[] = [];
  const cores: MagpieCore[] = [];
  const log = pino({ level: 'silent' });
  const profile = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-client-'));
    folders.push(dir);
    return dir;
  };
  return {
    profile,
    async client(server, user, options = {}) {
      const login = loginRequest(server.appId, { type: 'appToken', user, token: server.appToken }, { deviceId: options.deviceId ?? `test-${user}` });
      const client = new MagpieClient({
        profileDir: options.profileDir ?? (await profile()),
        servers: options.servers ?? [`127.0.0.1:${server.port}`],
        ...(options.transport ? { transport: options.transport } : {}),
        login: { ...login, appId: server.appId, user },
        tuning: { ...fastTestTuning, ...options.tuning },
        ...(options.limits ? { limits: options.limits } : {}),
        log: options.log ?? log,
      });
      clients.push(client);
      return client;
    },
    async core(server, user, options = {}) {
      const profileDir = options.profileDir ?? (await profile());
      const notifications: NotificationRequest[] = [];
      const events: Array<{ event: EventName; payload: unknown }> = [];
      const core = new MagpieCore({
        profileDir,
        shell: 'web',
        version: '0.0.0',
        secretBox: createKeyFileSecretBox(join(profileDir, 'secret.key')),
        notifier: { notify: (request) => notifications.push(request) },
        emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => events.push({ event, payload }),
        log,
        tuning: { ...fastTestTuning, ...options.tuning },
        systemLanguage: 'en',
        ...(options.desktopFiles ? { desktopFiles: options.desktopFiles } : {}),
      });
      cores.push(core);
      const dispatch = createDispatch(core.handlers, (error) => {
        throw error;
      });
      const call = <M extends MethodName>(method: M, args: MethodArgs<M>) => dispatch(method, args) as Promise<Result<MethodResult<M>>>;
      await core.handlers['ui.state']({ focused: options.focused ?? false });
      await core.handlers['session.login']({
        servers: [`127.0.0.1:${server.port}`],
        appId: server.appId,
        auth: { type: 'appToken', user, token: server.appToken },
      });
      const payloads = <E extends EventName>(name: E) => events.filter((e) => e.event === name).map((e) => e.payload as EventPayloads[E]);
      return {
        core,
        profileDir,
        call,
        notifications,
        events,
        upserted: () => payloads('message.upserted').map((p) => p.message),
        progress: () => payloads('media.progress'),
        states: () => payloads('connection.state').map((p) => p.state),
      };
    },
    async cleanup() {
      // a core's shutdown resolves once its store has let go of its files
      await Promise.all(cores.splice(0).map((core) => core.shutdown()));
      const closing = clients.splice(0).map((client) => {
        client.close();
        return client.store.closed;
      });
      // the store's checkpoint worker lets go of the file a moment after close()
      await Promise.all(closing);
      await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
    },
  };
}

/** Resolves when check() holds, polling every few ms; fails with what() after timeoutMs. */
export async function eventually(check: () => boolean, timeoutMs: number, what: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
