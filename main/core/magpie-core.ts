import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode, isGroupId, MagpieError } from '../../protocol';
import type { DemoInfo, EventName, EventPayloads, LoginAuth, SessionView, Settings } from '../../preload/api';
import type { ApiHandlers } from '../api/dispatch';
import type { ConnectionStatus } from '../engine/client-connection';
import type { EngineTuning } from '../engine/tuning';
import { notificationFor, type AttentionState, type Notifier } from '../notifications/notification-policy';
import { loadDeviceId } from '../settings/device-id';
import type { SecretBox } from '../settings/secret-box';
import { loadRememberedLogin, loadSettings, saveRememberedLogin, saveSettings } from '../settings/settings-file';
import { previewOf, type IngestResult, type StoredMessage } from '../store';
import { toGroupView } from '../views/conversation-view';
import { noticeAsMessageView, toMessageView } from '../views/message-view';
import { createMediaHandlers } from './media-handlers';
import { openSession, type Session } from './session';

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
  /** How long an interactive login waits for the server before it gives up. */
  readonly loginTimeoutMs?: number;
}

/** Notifications raised for one synced batch at most: a catch-up after a night offline is not a storm. */
const MAX_NOTIFICATIONS_PER_BATCH = 3;

/**
 * The application behind the contract: settings, the remembered login, the signed-in session,
 * and the events the page hears. Both shells serve exactly these handlers.
 */
export class MagpieCore {
  private session: Session | undefined;
  private settings: Settings;
  private attention: AttentionState = { focused: true };
  private readonly settingsFile: string;
  private readonly rememberFile: string;
  private readonly deviceId: string;

  constructor(private readonly options: MagpieCoreOptions) {
    mkdirSync(options.profileDir, { recursive: true, mode: 0o700 });
    this.settingsFile = join(options.profileDir, 'settings.json');
    this.rememberFile = join(options.profileDir, 'login.json');
    this.settings = loadSettings(this.settingsFile);
    this.deviceId = loadDeviceId(options.profileDir);
    this.media = createMediaHandlers({ profileDir: options.profileDir, requireSession: () => this.requireSession(), emit: options.emit, log: options.log });
  }

  private readonly media: ReturnType<typeof createMediaHandlers>;

  readonly handlers: ApiHandlers = {
    'app.info': () => ({
      name: 'Magpie',
      version: this.options.version,
      shell: this.options.shell,
      ...(this.options.demo ? { demo: this.options.demo } : {}),
    }),
    'session.login': async (args) => {
      this.endSession('replaced by a new login');
      const session = this.startSession(args.servers, args.appId, args.auth, args.mode, args.caFile);
      try {
        await withTimeout(session.client.start(), this.options.loginTimeoutMs ?? 20_000);
      } catch (error) {
        // only this login's session: a newer login may have replaced it meanwhile
        if (this.session === session) this.endSession('login failed');
        else session.client.close();
        throw error;
      }
      if (this.session !== session) throw new MagpieError(ErrorCode.CANCELLED, 'replaced by a newer sign-in');
      this.settings = { ...this.settings, servers: args.servers };
      saveSettings(this.settingsFile, this.settings);
      if (args.remember) saveRememberedLogin(this.rememberFile, this.options.secretBox, { servers: args.servers, appId: args.appId, auth: args.auth, ...(args.caFile ? { caFile: args.caFile } : {}) });
      else rmSync(this.rememberFile, { force: true });
      return this.sessionView(session);
    },
    'session.restore': () => {
      if (this.session) return this.sessionView(this.session);
      const remembered = loadRememberedLogin(this.rememberFile, this.options.secretBox);
      if (!remembered) return null;
      // history opens at once from the store; the connection comes up in the background
      const session = this.startSession(remembered.servers, remembered.appId, remembered.auth, 'auto', remembered.caFile);
      session.client.start().catch((error: unknown) => this.options.log.info({ err: error }, 'remembered login did not succeed'));
      return this.sessionView(session);
    },
    'session.logout': (args) => {
      this.endSession('signed out');
      if (args.forget ?? true) rmSync(this.rememberFile, { force: true });
      return null;
    },
    'session.connection': () => toConnectionInfo(this.session?.client.status ?? { state: 'idle' }),
    'session.reconnect': () => {
      const session = this.requireSession();
      if (session.client.status.state === 'offline') {
        // the engine stopped on a refusal: sign in again with what is remembered, in the background
        session.client.start().catch((error: unknown) => this.options.log.info({ err: error }, 'sign-in retried and refused'));
      } else {
        session.client.networkUp();
      }
      return toConnectionInfo(session.client.status);
    },
    'ui.state': (args) => {
      this.attention = args;
      return null;
    },
    'network.changed': (args) => {
      if (args.online) this.networkUp();
      return null;
    },
    'conversations.list': () => {
      const session = this.requireSession();
      return session.client.store.conversations.list(500).map((c) => session.conversationView(c));
    },
    'conversation.markRead': (args) => {
      const session = this.requireSession();
      session.chat.markRead(args.conversation);
      this.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.setDraft': (args) => {
      const session = this.requireSession();
      session.client.store.conversations.setDraft(args.conversation, args.draft, session.client.clock.now());
      this.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.setPinned': (args) => {
      const session = this.requireSession();
      session.client.store.conversations.setPinned(args.conversation, args.pinned);
      this.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.setMuted': async (args) => {
      const session = this.requireSession();
      session.client.store.conversations.setMuted(args.conversation, args.muted);
      // a group's mute is its do-not-disturb, kept on the server so pushes respect it too
      if (isGroupId(args.conversation) && session.client.status.state === 'online') {
        await session.groups.setDnd(args.conversation, args.muted);
      }
      this.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.remove': (args) => {
      // as a common messenger's "delete chat": this device only; a new message brings it back
      this.requireSession().client.store.conversations.remove(args.conversation);
      this.options.emit('conversation.removed', { conversation: args.conversation });
      return null;
    },
    'messages.page': (args) => this.requireSession().chat.page(args.conversation, args.before, args.limit),
    'message.send': async (args) => {
      const session = this.requireSession();
      const view = await session.chat.send(args.conversation, args.content);
      this.emitConversation(session, args.conversation);
      void this.fetchProfiles(session, this.unknownUsers(session, [args.conversation]));
      return view;
    },
    'message.retry': (args) => this.requireSession().chat.retry(args.key),
    'message.cancel': (args) => {
      const session = this.requireSession();
      const conversation = session.chat.cancel(args.key);
      this.options.emit('message.removed', { conversation, key: args.key });
      this.emitConversation(session, conversation);
      return null;
    },
    'message.revoke': (args) => answerNothing(this.requireSession().chat.revoke(args.key)),
    'message.deleteLocal': (args) => {
      const session = this.requireSession();
      const conversation = session.chat.deleteLocal(args.key);
      this.options.emit('message.removed', { conversation, key: args.key });
      this.emitConversation(session, conversation);
      return null;
    },
    'message.burn': (args) => {
      const session = this.requireSession();
      const view = toMessageView(session.chat.burn(args.key));
      this.options.emit('message.upserted', { message: view });
      this.emitConversation(session, view.conversation);
      return view;
    },
    'message.readers': (args) => this.requireSession().chat.readers(args.key),
    'typing.send': (args) => {
      this.requireSession().chat.typing(args.conversation, args.stopped ?? false);
      return null;
    },
    'search.messages': (args) => this.requireSession().chat.search(args.query, args.limit),
    'profile.me': () => this.requireSession().profiles.me(),
    'profile.update': (args) => this.requireSession().profiles.update(args),
    'profiles.get': (args) => this.requireSession().profiles.get(args.userIds),
    'settings.get': () => ({ ...this.settings }),
    'settings.update': (args) => {
      this.settings = { ...this.settings, ...args };
      saveSettings(this.settingsFile, this.settings);
      return { ...this.settings };
    },
    'groups.create': (args) => this.groupCall((g) => g.create(args)),
    'groups.mine': () => this.requireSession().groups.mine(),
    'groups.search': (args) => this.requireSession().groups.search(args.keyword, args.offset, args.limit),
    'group.info': (args) => this.requireSession().groups.info(args.groupId),
    'group.members': (args) => this.requireSession().groups.members(args.groupId, args.offset, args.limit),
    'group.join': (args) => this.groupCall((g) => g.join(args.groupId)),
    'group.apply': (args) => this.requireSession().groups.apply(args.groupId, args.reason),
    'group.approve': (args) => answerNothing(this.requireSession().groups.approve(args.groupId, args.requestId)),
    'group.reject': (args) => answerNothing(this.requireSession().groups.reject(args.groupId, args.requestId, args.reason)),
    'group.invite': (args) => answerNothing(this.requireSession().groups.invite(args.groupId, args.users, args.reason)),
    'group.acceptInvite': (args) => answerNothing(this.requireSession().groups.acceptInvite(args.groupId, args.requestId)),
    'group.declineInvite': (args) => answerNothing(this.requireSession().groups.declineInvite(args.groupId, args.requestId, args.reason)),
    'group.kick': (args) => answerNothing(this.requireSession().groups.kick(args.groupId, args.users)),
    'group.quit': (args) => answerNothing(this.requireSession().groups.quit(args.groupId)),
    'group.dismiss': (args) => answerNothing(this.requireSession().groups.dismiss(args.groupId)),
    'group.transfer': (args) => answerNothing(this.requireSession().groups.transfer(args.groupId, args.user)),
    'group.setRole': (args) => answerNothing(this.requireSession().groups.setRole(args.groupId, args.user, args.role)),
    'group.mute': (args) => answerNothing(this.requireSession().groups.mute(args.groupId, args.user, args.seconds)),
    'group.setCard': (args) => answerNothing(this.requireSession().groups.setCard(args.groupId, args.user, args.card)),
    'group.setDnd': async (args) => {
      const session = this.requireSession();
      await session.groups.setDnd(args.groupId, args.on);
      session.client.store.conversations.setMuted(args.groupId, args.on);
      this.emitConversation(session, args.groupId);
      return null;
    },
    'group.modify': (args) => this.groupCall((g) => g.modify(args)),
    'group.requests': () => this.requireSession().groups.requests(),
    'media.send': (args) => this.media.handlers['media.send'](args),
    'media.fetch': (args) => this.media.handlers['media.fetch'](args),
  };

  /** The shell saw the network come back. */
  networkUp(): void {
    this.session?.client.networkUp();
  }

  /** Called by the shell when a notification is clicked. */
  openConversation(conversation: string): void {
    this.options.emit('notification.open', { conversation });
  }

  shutdown(): void {
    this.endSession('shutting down');
  }

  private startSession(servers: string[], appId: string, auth: LoginAuth, mode?: 'auto' | 'force', caFile?: string): Session {
    const session = openSession({
      profileDir: this.options.profileDir,
      servers,
      caFile,
      appId,
      auth,
      mode,
      deviceId: this.deviceId,
      log: this.options.log,
      tuning: this.options.tuning,
      clientName: `magpie-${this.options.shell}/${this.options.version}`,
    });
    this.session = session;
    this.media.attach(session);
    this.wire(session);
    return session;
  }

  private endSession(reason: string): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.media.detach();
    session.client.events.removeAllListeners();
    session.client.close();
    this.options.emit('session.ended', { reason });
  }

  private requireSession(): Session {
    if (!this.session) throw new MagpieError(ErrorCode.NOT_LOGGED_IN, 'sign in first');
    return this.session;
  }

  private async groupCall<T extends { groupId: string }>(run: (groups: Session['groups']) => Promise<T>): Promise<T> {
    const session = this.requireSession();
    const group = await run(session.groups);
    this.emitConversation(session, group.groupId);
    return group;
  }

  private sessionView(session: Session): SessionView {
    const me = session.client.store.users.get(session.client.selfId);
    return { userId: session.client.selfId, appId: session.client.appId, nickname: me?.nickname ?? '', servers: session.servers };
  }

  private emitConversation(session: Session, id: string): void {
    const conversation = session.client.store.conversations.get(id);
    if (conversation) this.options.emit('conversation.updated', { conversation: session.conversationView(conversation) });
  }

  private wire(session: Session): void {
    const { events, store } = session.client;
    events.on('status', (status) => {
      this.options.emit('connection.state', toConnectionInfo(status));
      if (status.state === 'kicked') this.options.emit('session.ended', { reason: status.reason ?? 'kicked', code: status.code });
    });
    events.on('progress', (progress) => this.options.emit('sync.progress', progress));
    events.on('outgoing', (message) => {
      this.options.emit('message.upserted', { message: session.chat.view(message) });
      this.emitConversation(session, message.conversation);
    });
    events.on('typing', (typing) => {
      this.options.emit('typing', { conversation: typing.from, from: typing.from, stopped: typing.stopped });
    });
    events.on('ingested', (result) => this.onIngested(session, result));
    events.on('login', () => {
      // names for the conversation list: ask for the profiles of the people it shows
      const ids = store.conversations.list(500).filter((c) => !isGroupId(c.id)).map((c) => c.id);
      void this.fetchProfiles(session, [session.client.selfId, ...ids]);
    });
  }

  /**
   * Asks the server for profiles not yet known here, then refreshes the conversations they name.
   * Resolves once the names are in the store (or could not be had), never rejects.
   */
  private fetchProfiles(session: Session, userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0 || session.client.status.state !== 'online') return Promise.resolve();
    return session.profiles
      .get(userIds)
      .then(() => {
        if (this.session !== session) return;
        for (const id of userIds) this.emitConversation(session, id);
      })
      .catch((error: unknown) => this.options.log.debug({ err: error }, 'profiles not fetched'));
  }

  private unknownUsers(session: Session, ids: Iterable<string>): string[] {
    const unknown = new Set<string>();
    for (const id of ids) if (!isGroupId(id) && !session.client.store.users.get(id)) unknown.add(id);
    return [...unknown];
  }

  private onIngested(session: Session, result: IngestResult): void {
    const emit = this.options.emit;
    const changed = new Map<string, StoredMessage>();
    for (const list of [result.messages, result.ownMessagesConfirmed, result.revoked, result.burned]) {
      for (const message of list) changed.set(String(message.localId), message);
    }
    for (const conversation of new Set(result.readReceipts.map((r) => r.conversation))) {
      for (const message of session.client.store.messages.page(conversation, 50)) {
        if (message.outgoing && message.state === 'read') changed.set(String(message.localId), message);
      }
    }
    for (const message of changed.values()) emit('message.upserted', { message: toMessageView(message) });
    for (const notice of result.notices) emit('message.upserted', { message: noticeAsMessageView(notice) });
    // a notice changes the group it is about (members, roles, name, dismissal): the page's card follows
    for (const groupId of new Set(result.notices.map((n) => n.groupId))) {
      const group = session.client.store.groups.getGroup(groupId);
      if (group) emit('group.updated', { group: toGroupView(group) });
    }
    for (const id of result.conversations) this.emitConversation(session, id);
    // a first message from someone new is notified under their name, not their raw id
    void this.fetchProfiles(session, this.unknownUsers(session, [...result.messages.map((m) => m.from), ...result.conversations])).then(() => {
      if (this.session === session) this.notify(session, result.messages);
    });
  }

  private notify(session: Session, messages: readonly StoredMessage[]): void {
    const notifier = this.options.notifier;
    if (!notifier) return;
    const language = this.language();
    let raised = 0;
    for (const message of messages) {
      if (raised >= MAX_NOTIFICATIONS_PER_BATCH) break;
      const conversation = session.client.store.conversations.get(message.conversation);
      const group = isGroupId(message.conversation) ? session.client.store.groups.getGroup(message.conversation) : undefined;
      const request = notificationFor(
        {
          outgoing: message.outgoing,
          conversation: message.conversation,
          senderName: session.conversationTitle(message.from),
          conversationTitle: session.conversationTitle(message.conversation),
          isGroup: isGroupId(message.conversation),
          // this message's own text: the conversation's last preview is the batch's last message
          preview: previewOf(message),
          mentionsMe: message.mentionsMe,
          burnAfterReading: message.burnAfterReading,
        },
        { settings: this.settings, muted: (conversation?.muted ?? false) || (group?.dnd ?? false), attention: this.attention, language },
      );
      if (!request) continue;
      raised++;
      notifier.notify(request, () => this.openConversation(message.conversation));
    }
  }

  private language(): 'en' | 'zh-CN' {
    const chosen = this.settings.language === 'system' ? this.options.systemLanguage ?? 'en' : this.settings.language;
    return chosen.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  }
}

function toConnectionInfo(status: ConnectionStatus): EventPayloads['connection.state'] {
  const info: EventPayloads['connection.state'] = { state: status.state };
  if (status.reason !== undefined) info.reason = status.reason;
  if (status.code !== undefined) info.code = status.code;
  if (status.heartbeatMs !== undefined) info.heartbeatMs = status.heartbeatMs;
  if (status.server !== undefined) info.server = status.server;
  return info;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MagpieError(ErrorCode.NOT_CONNECTED, `the server did not answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** For the calls whose contract answers nothing: null once the work is done. */
async function answerNothing(work: Promise<unknown>): Promise<null> {
  await work;
  return null;
}
