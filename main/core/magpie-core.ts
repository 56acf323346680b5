import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { isGroupId } from '../../protocol';
import type { DemoInfo, EventName, EventPayloads, LoginAuth } from '../../preload/api';
import type { ApiHandlers } from '../api/dispatch';
import type { EngineTuning } from '../engine/tuning';
import type { AttentionState, Notifier } from '../notifications/notification-policy';
import { routeLogin, type LocalServerRoute } from '../local-server/local-route';
import { loadDeviceId } from '../settings/device-id';
import type { SecretBox } from '../settings/secret-box';
import type { RememberedFromServer } from '../settings/settings-file';
import { createConversationHandlers } from './handlers/conversations';
import { requireSessionOf, type CoreDeps } from './handlers/deps';
import { createGroupHandlers } from './handlers/groups';
import { createMessageHandlers } from './handlers/messages';
import { createProfileHandlers } from './handlers/profiles';
import { createSessionHandlers } from './handlers/session';
import { createSettingsHandlers, createSettingsState } from './handlers/settings';
import type { DesktopFiles } from '../files/desktop-files';
import { createMediaHandlers, type MediaHandlers } from './media-handlers';
import { openSession, type Session } from './session';
import { wireSessionEvents } from './session-events';
import { createSessionNotifications } from './session-notifications';
import type { WalWorkerStopOutcome } from '../../platform/sqlite';

export interface MagpieCoreOptions {
  readonly profileDir: string;
  readonly shell: 'electron' | 'web';
  readonly version: string;
  readonly secretBox: SecretBox;
  readonly notifier?: Notifier;
  readonly emit: <E extends EventName>(event: E, payload: EventPayloads[E]) => void;
  readonly log: Logger;
  readonly tuning?: Partial<EngineTuning>;
  /** The system's language (navigator or OS locale), for 'system' in settings. */
  readonly systemLanguage?: string;
  /** The local demo server's accounts, shown on the login screen. */
  readonly demo?: DemoInfo;
  /** The local demo server's TLS route: a login naming it dials it so (local-route.ts). */
  readonly localServer?: LocalServerRoute;
  /** How long an interactive login waits for the server before it gives up. */
  readonly loginTimeoutMs?: number;
  /** The desktop shell's open-with-app and save dialog (Electron only): media.open and media.save. */
  readonly desktopFiles?: DesktopFiles;
}

/**
 * The application behind the contract: settings, the remembered login, the signed-in session,
 * and the events the page hears. Both shells serve exactly these handlers. The work lives in
 * per-feature factories (handlers/*, session-events, session-notifications); this class holds the
 * little state they share (the session, the page's attention) and composes them.
 */
export class MagpieCore {
  readonly handlers: ApiHandlers;
  private session: Session | undefined;
  private readonly media: MediaHandlers;
  private attention: AttentionState = { focused: true };

  constructor(private readonly options: MagpieCoreOptions) {
    mkdirSync(options.profileDir, { recursive: true, mode: 0o700 });
    const settings = createSettingsState(join(options.profileDir, 'settings.json'));
    const deviceId = loadDeviceId(options.profileDir);
    const current = (): Session | undefined => this.session;
    this.media = createMediaHandlers({
      profileDir: options.profileDir,
      requireSession: () => requireSessionOf(current),
      emit: options.emit,
      log: options.log,
      ...(options.desktopFiles ? { desktopFiles: options.desktopFiles } : {}),
    });

    const deps: CoreDeps = {
      emit: options.emit,
      log: options.log,
      current,
      requireSession: () => requireSessionOf(current),
      emitConversation: (session, id) => {
        const conversation = session.client.store.conversations.get(id);
        if (conversation) options.emit('conversation.updated', { conversation: session.conversationView(conversation) });
      },
      fetchProfiles: (session, userIds) => {
        // resolves once the names are in the store (or could not be had), never rejects
        if (userIds.length === 0 || session.client.status.state !== 'online') return Promise.resolve();
        return session.profiles
          .get(userIds)
          .then((profiles) => {
            if (this.session !== session) return;
            for (const id of userIds) deps.emitConversation(session, id);
            // members, bubbles and notices name them too: the page renames them all at once
            options.emit('profiles.updated', { profiles });
          })
          .catch((error: unknown) => options.log.debug({ err: error }, 'profiles not fetched'));
      },
      unknownUsers: (session, ids) => {
        const unknown = new Set<string>();
        for (const id of ids) if (!isGroupId(id) && !session.client.store.users.get(id)) unknown.add(id);
        return [...unknown];
      },
    };
    const notify = createSessionNotifications({
      ...(options.notifier ? { notifier: options.notifier } : {}),
      settings: settings.get,
      attention: () => this.attention,
      ...(options.systemLanguage !== undefined ? { systemLanguage: options.systemLanguage } : {}),
      open: (conversation) => this.openConversation(conversation),
    });

    const startSession = (servers: string[], appId: string, auth: LoginAuth, mode?: 'auto' | 'force', caFile?: string, remembered?: RememberedFromServer): Session => {
      const route = routeLogin(servers, caFile, options.localServer);
      const opened = openSession({
        profileDir: options.profileDir,
        servers: route.servers,
        learnedServers: remembered?.learnedServers,
        serverLimits: remembered?.serverLimits,
        caFile: route.caFile,
        appId,
        auth,
        mode,
        deviceId,
        log: options.log,
        tuning: options.tuning,
        clientName: `magpie-${options.shell}/${options.version}`,
      });
      // the form, the settings and the remembered login keep the address the user gave
      const session: Session = { ...opened, servers };
      this.session = session;
      this.media.attach(session);
      wireSessionEvents(session, { ...deps, notify });
      return session;
    };

    this.handlers = {
      ...createSessionHandlers({
        ...deps,
        app: { version: options.version, shell: options.shell, ...(options.demo ? { demo: options.demo } : {}) },
        settings,
        secretBox: options.secretBox,
        profileDir: options.profileDir,
        rememberFile: join(options.profileDir, 'login.json'),
        loginTimeoutMs: options.loginTimeoutMs ?? 20_000,
        startSession,
        endSession: (reason) => this.endSession(reason),
        setAttention: (attention) => {
          this.attention = attention;
        },
        networkUp: () => this.networkUp(),
      }),
      ...createConversationHandlers(deps),
      ...createMessageHandlers(deps),
      ...createProfileHandlers(deps),
      ...createSettingsHandlers({ settings }),
      ...createGroupHandlers(deps),
      ...this.media.handlers,
    };
  }

  /** The shell saw the network come back. */
  networkUp(): void {
    this.session?.client.networkUp();
  }

  /** Called by the shell when a notification is clicked. */
  openConversation(conversation: string): void {
    this.options.emit('notification.open', { conversation });
  }

  /**
   * Ends the session; resolves once the local store has let go of its files: true, or false when
   * its checkpoint worker was let go still running (it holds the file until the process ends).
   */
  async shutdown(): Promise<boolean> {
    return (await this.closeSession('shutting down')) === 'stopped';
  }

  private async endSession(reason: string): Promise<void> {
    await this.closeSession(reason);
  }

  private closeSession(reason: string): Promise<WalWorkerStopOutcome> {
    const session = this.session;
    if (!session) return Promise.resolve('stopped');
    this.session = undefined;
    this.media.detach();
    session.client.events.removeAllListeners();
    session.client.close();
    this.options.emit('session.ended', { reason });
    return session.client.store.closed;
  }
}
