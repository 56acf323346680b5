/**
 * The one contract between the renderer and the core: methods the page may call and events it may
 * hear. Both shells (Electron IPC and the web shell's WebSocket) implement exactly this, and check
 * every call against the schemas in api-schemas.ts at the boundary. This file holds types and
 * constants only, so the sandboxed preload and the renderer bundle nothing else from it.
 */

/** The content limits the server enforces: the composer counts against them. */
export { codePointLabel, controlCharacterName, hasControlCharacter, MESSAGE_LIMITS, SHOWN_CONTROL_CHARACTER, showControlCharacters, textChars } from '../protocol/content-limits';
import { MAX_VOICE_DURATION_MS } from '../protocol/content-limits';
/** What the server takes (revoke window, uploads, voice length): SessionView and ConnectionInfo carry its figures. */
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../protocol/content-limits';
import type { ServerLimits } from '../protocol/content-limits';
/** Bidirectional text kept from reordering what is around it (docs/client.md, "Message text is text"). */
export { balanceIsolates, bidiControlName, BIDI_CONTROL, isolatePieces, isolateText, showBidiControls } from '../protocol/bidi-text';
/** Which picked bytes go out as an image (the ones the app shows), the same rule as the CLI's --image. */
export { isShownImage, SHOWN_IMAGE_HEAD_BYTES } from '../protocol/media-kinds';
/** The user an app server's notifications come from: its chat is read-only (the server refuses a SEND to it). */
export { SYSTEM_USER_ID } from '../protocol/ids';
export { cutFileName } from '../protocol/file-names';
/** The order of a conversation's messages and notices, the same in the page, the core and the CLI. */
export { compareConversationItems, type ConversationItemOrder } from './conversation-order';

/** The server's limits on group words the page lets one type (server/groups/group-limits.ts). */
export const GROUP_LIMITS = {
  /** An application's message to the owner and admins, in characters (code points, textChars) as the server counts. */
  maxReasonChars: 256,
  /** A group's name: 1 to 64 characters (code points: an emoji is one), not all spaces, no control characters. */
  maxNameChars: 64,
  /** A group's announcement, in characters (code points). */
  maxAnnouncementChars: 1_024,
  /** A group search's keyword: 1 to 64 characters (code points), a part of a name or a whole id. */
  maxKeywordChars: 64,
  /** One's alias in a group (the member card), in characters (code points); empty clears it, no control characters. */
  maxCardChars: 64,
  /** The longest a member can be muted: 30 days. */
  maxMuteSeconds: 30 * 24 * 3600,
} as const;

/** What the page may hand over or get back as bytes through the contract (both shells carry base64). */
export const MEDIA_LIMITS = {
  /** A file the page sends: 16 MiB (the web shell's socket takes its base64 with room to spare). */
  maxSendBytes: 16 * 1024 * 1024,
  /** A file the page is handed to show or save: 32 MiB. */
  maxFetchBytes: 32 * 1024 * 1024,
  /**
   * The most pixels of a picture the viewer decodes in the page: 24 million (6000 × 4000, about
   * 96 MB as RGBA). A larger one (the server takes up to 16383 × 16383, 1 GB of pixels) is shown
   * as a copy the core scales to fit in viewScaledSidePx; open or save hands over the original.
   */
  maxViewPixels: 24_000_000,
  /** The longest side of that scaled copy: 4096 px (at most 16.8 million pixels). */
  viewScaledSidePx: 4096,
  /** A voice message's length: recording stops and sends at 60 s, the longest a SEND may announce. */
  maxVoiceMs: MAX_VOICE_DURATION_MS,
  /** The shortest voice message the app and the CLI send: a recording stopped sooner is dropped as too short. */
  minVoiceMs: 1_000,
} as const;

/**
 * A client message id made in the page, as 32 lower-case hex digits, laid out as the core's own
 * (protocol/ids.ts): the clock in ms in 6 bytes, big-endian, then 10 random bytes.
 */
export function newPageClientMsgId(nowMs: number): string {
  const id = new Uint8Array(16);
  globalThis.crypto.getRandomValues(id.subarray(6));
  let time = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i--) {
    id[i] = time % 256;
    time = Math.floor(time / 256);
  }
  return [...id].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The time (ms) in a client message id of that layout: its first 6 bytes. */
export function timeOfClientMsgId(hex: string): number {
  return Number.parseInt(hex.slice(0, 12), 16);
}

// ---- views: what the page sees -----------------------------------------------------------------

export type ConnectionState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline' | 'kicked';
/** 'unavailable': a message that could not be shown (the server withheld it); a placeholder line. */
export type MessageKind = 'text' | 'voice' | 'image' | 'file' | 'location' | 'custom' | 'notice' | 'unavailable';
export type MessageState = 'sending' | 'sent' | 'failed' | 'received' | 'read';
export type ConversationKind = 'user' | 'group';
export type GroupRoleName = 'owner' | 'admin' | 'member' | 'none';
export type GroupModeName = 'public' | 'approval' | 'private';
export type NoticeKindName =
  | 'create' | 'invite' | 'invite_request' | 'apply' | 'approve' | 'reject' | 'join' | 'quit'
  | 'kick' | 'dismiss' | 'role' | 'mute' | 'modify' | 'transfer' | 'decline';

export interface MediaView {
  fileId: string;
  name: string;
  size: number;
  mime: string;
  durationMs?: number;
  width?: number;
  height?: number;
}

export interface LocationView {
  latitude: number;
  longitude: number;
  title: string;
  address: string;
}

export interface CustomView {
  command: string;
  /** The payload as UTF-8 text when it is text, else base64. */
  payload: string;
}

export interface NoticeView {
  kind: NoticeKindName;
  groupId: string;
  actor: string;
  targets: string[];
  text: string;
  requestId?: number;
  role?: GroupRoleName;
  muteUntilMs?: number;
  /** MUTE that mutes: for how long, in whole seconds (its end less the notice's time); absent when it lifts one. */
  muteSeconds?: number;
  /** MODIFY: what changed, each with its new value; absent when the notice does not say (an older one). */
  changes?: GroupChangesView;
}

/** The settings a group change gave a new value: only those keys are present. */
export interface GroupChangesView {
  name?: string;
  /** Empty: the announcement was cleared. */
  announcement?: string;
  mode?: GroupModeName;
  inviteConfirm?: boolean;
  /** Mute all turned on (true) or off (false). */
  muteAll?: boolean;
}

export interface MessageView {
  /** Stable local key: the client id for messages sent from here, else derived from the server id. */
  key: string;
  msgId?: number;
  /** The user's inbox seq (a notice's too): the server's order of items of one millisecond. */
  seq?: number;
  /** A large group's message: its seq in the group's timeline, the server's order of the timeline's messages of one millisecond. */
  timelineSeq?: number;
  clientMsgId?: string;
  conversation: string;
  conversationKind: ConversationKind;
  from: string;
  to: string;
  outgoing: boolean;
  kind: MessageKind;
  text: string;
  mentions: string[];
  mentionAll: boolean;
  media?: MediaView;
  location?: LocationView;
  custom?: CustomView;
  notice?: NoticeView;
  timeMs: number;
  state: MessageState;
  /** Why a failed message was not sent: the server's (or the client's) code and words. */
  errorCode?: number;
  errorMessage?: string;
  /**
   * Refused for its size (FILE_TOO_LARGE by the file service): the file's size and the limit it
   * broke, in bytes, as data: the page says "it is X, the limit is Y" from these, never from the words.
   */
  errorTooLarge?: { sizeBytes: number; limitBytes: number };
  revoked: boolean;
  /** A revoked message: who revoked it, when that is not its sender (a group owner or admin). */
  revokedBy?: string;
  burnAfterReading: boolean;
  burned: boolean;
}

export interface ConversationView {
  id: string;
  kind: ConversationKind;
  title: string;
  unread: number;
  mentioned: boolean;
  lastPreview: string;
  lastTimeMs: number;
  lastFrom?: string;
  /** The last message was revoked by someone other than its sender (a group owner or admin): who. */
  lastRevokedBy?: string;
  /** A group's last line is a notice (joined, left, removed, renamed, dismissed…), newer than any message. */
  lastNotice?: NoticeView;
  draft: string;
  pinned: boolean;
  muted: boolean;
}

export interface ProfileView {
  userId: string;
  nickname: string;
  avatar: string;
}

export interface GroupView {
  groupId: string;
  name: string;
  owner: string;
  mode: GroupModeName;
  capacity: number;
  memberCount: number;
  announcement: string;
  myRole: GroupRoleName;
  dnd: boolean;
  inviteConfirm: boolean;
  dismissed: boolean;
  myMuteUntilMs: number;
  /** Mute all: only the owner and admins may send (others' SEND is refused GROUP_MUTED_ALL). */
  muteAll: boolean;
}

export interface MemberView {
  userId: string;
  nickname: string;
  role: GroupRoleName;
  card: string;
  muteUntilMs: number;
}

export interface SearchHit {
  conversation: string;
  key: string;
  from: string;
  timeMs: number;
  snippet: string;
  /** [start, end) ranges of snippet (UTF-16 offsets) that matched the query, in order: what the page marks. */
  highlights: { start: number; end: number }[];
}

export interface Settings {
  notifications: boolean;
  preview: 'full' | 'sender' | 'none';
  language: 'system' | 'zh-CN' | 'en';
  theme: 'system' | 'light' | 'dark';
  servers: string[];
  /**
   * How the last sign-in on this computer signed in (never its secret), recorded by the core at
   * each sign-in: the sign-in form opens on it, also after "sign out and forget" and a restart.
   * The page does not set it (settings.update refuses it).
   */
  signInMethod?: SignInMethod;
}

export type LoginAuth =
  | { type: 'password'; user: string; password: string }
  | { type: 'appToken'; user: string; token: string }
  | { type: 'signed'; user: string; signature: string; timestamp: string; algorithm: 'hmac-sha256' | 'md5' };

/** How a session signed in, without its secret: the sign-in form comes back set to it after a sign-out. */
export interface SignInMethod {
  type: LoginAuth['type'];
  /** A signed token's algorithm. */
  algorithm?: 'hmac-sha256' | 'md5';
}

export interface SessionView {
  userId: string;
  appId: string;
  nickname: string;
  servers: string[];
  /** The sign-in method this session used (a core older than this field leaves it out: password). */
  signedInWith?: SignInMethod;
  /**
   * What the server takes, as its last login told (the defaults before this session's first
   * login, and from a server that tells none); 'connection.state' brings them anew at each login.
   * A core older than this field leaves it out: the defaults.
   */
  limits?: ServerLimits;
}

/** Who the remembered login is for, never its secret (`session.remembered`). */
export interface RememberedAccount {
  servers: string[];
  appId: string;
  userId: string;
  /** The CA file the sign-in trusted (the login form's Advanced section). */
  caFile?: string;
}

/** The local demo server's accounts, when the shell started one (first run with no server). */
export interface DemoInfo {
  servers: string[];
  appId: string;
  users: { name: string; user: string; password: string }[];
}

export interface ConnectionInfo {
  state: ConnectionState;
  reason?: string;
  code?: number;
  heartbeatMs?: number;
  /** Online: the server's address. Otherwise: the address the failure (`code`) is about, where it names one. */
  server?: string;
  /** Online: what this server takes, as its login told (SessionView.limits). */
  limits?: ServerLimits;
  /**
   * The server's clock (ms since the epoch) as the core reckoned it when it sent this, once a login
   * of this session told it (docs/client.md, "Server time"). The page takes its own offset from it
   * (this less its clock at receipt) and compares server times (the revoke window, mutes) with its
   * clock plus that offset, never with its clock alone, which may be minutes off.
   */
  serverTimeMs?: number;
}

/** Where a page of history ends: strictly before the message with this time and key. */
export interface HistoryCursor {
  timeMs: number;
  key: string;
}

// ---- methods ---------------------------------------------------------------------------------

export type OutgoingContent =
  | { kind: 'text'; text: string; mentions?: string[]; mentionAll?: boolean; burnAfterReading?: boolean }
  | { kind: 'location'; location: LocationView }
  | { kind: 'custom'; command: string; payload: string; transient?: boolean; silent?: boolean }
  /** A finished upload of the file service (main/files), named by its file id. */
  | { kind: 'media'; type: 'voice' | 'image' | 'file'; media: MediaView };

export interface Methods {
  'app.info': {
    args: Record<string, never>;
    result: { name: string; version: string; shell: 'electron' | 'web'; demo?: DemoInfo };
  };
  'session.login': {
    args: {
      servers: string[];
      appId: string;
      auth: LoginAuth;
      mode?: 'auto' | 'force';
      remember?: boolean;
      /** A CA certificate file (PEM) trusted besides the system's: a server with a self-signed certificate. */
      caFile?: string;
    };
    result: SessionView;
  };
  /** Signs the remembered login in again (a start); null when none, or after a sign-out. */
  'session.restore': { args: Record<string, never>; result: SessionView | null };
  /**
   * The remembered account without its secret, also after a plain sign-out: the sign-in form
   * opens on it after a restart. Null when none (never remembered, or forgotten).
   */
  'session.remembered': { args: Record<string, never>; result: RememberedAccount | null };
  /**
   * Ends the session. `forget` (the default) removes the remembered login; without it the login
   * keeps its account (servers, app, user, CA file) and loses its secret, so the next start does
   * not sign in again.
   */
  'session.logout': { args: { forget?: boolean }; result: null };
  'session.connection': { args: Record<string, never>; result: ConnectionInfo };
  /**
   * "Retry now": reconnect at once rather than after the backoff; after a refused sign-in (offline
   * with a code) it tries that sign-in again, for a refusal that may have been lifted meanwhile.
   */
  'session.reconnect': { args: Record<string, never>; result: ConnectionInfo };
  'ui.state': { args: { focused: boolean; activeConversation?: string }; result: null };
  /** The page saw the network come back (or go): the engine reconnects at once rather than after its backoff. */
  'network.changed': { args: { online: boolean }; result: null };
  'conversations.list': { args: Record<string, never>; result: ConversationView[] };
  'conversation.markRead': { args: { conversation: string }; result: null };
  'conversation.setDraft': { args: { conversation: string; draft: string }; result: null };
  'conversation.setPinned': { args: { conversation: string; pinned: boolean }; result: null };
  'conversation.setMuted': { args: { conversation: string; muted: boolean }; result: null };
  /** Deletes the chat on this device: it leaves the list and its history is hidden here. */
  'conversation.remove': { args: { conversation: string }; result: null };
  /**
   * A page of history, oldest first. Pass back the `next` of the previous page as `before` for the
   * page older than it: the cursor is (time, row), as the store orders history, so messages sharing
   * a millisecond are neither skipped nor repeated at a page's edge.
   */
  'messages.page': {
    args: { conversation: string; before?: HistoryCursor; limit?: number };
    result: { messages: MessageView[]; more: boolean; next?: HistoryCursor };
  };
  'message.send': { args: { conversation: string; content: OutgoingContent }; result: MessageView };
  'message.retry': { args: { key: string }; result: MessageView };
  'message.cancel': { args: { key: string }; result: null };
  'message.revoke': { args: { key: string }; result: null };
  'message.deleteLocal': { args: { key: string }; result: null };
  /** A received burn-after-reading message was opened and its countdown ran out: it is burned on both sides. */
  'message.burn': { args: { key: string }; result: MessageView };
  'message.readers': { args: { key: string }; result: { read: string[]; unread: string[] } };
  'typing.send': { args: { conversation: string; stopped?: boolean }; result: null };
  /** conversation: only that chat's messages (the search in a chat). */
  'search.messages': { args: { query: string; limit?: number; conversation?: string }; result: SearchHit[] };
  'profile.me': { args: Record<string, never>; result: ProfileView };
  'profile.update': { args: { nickname?: string; avatar?: string }; result: ProfileView };
  'profiles.get': { args: { userIds: string[] }; result: ProfileView[] };
  'settings.get': { args: Record<string, never>; result: Settings };
  'settings.update': { args: Partial<Settings>; result: Settings };
  'groups.create': {
    args: { name: string; mode: GroupModeName; capacity?: number; members?: string[]; announcement?: string; inviteConfirm?: boolean };
    result: GroupView;
  };
  'groups.mine': { args: Record<string, never>; result: GroupView[] };
  'groups.search': { args: { keyword: string; offset?: number; limit?: number }; result: GroupView[] };
  'group.info': { args: { groupId: string }; result: GroupView };
  'group.members': { args: { groupId: string; offset?: number; limit?: number }; result: { members: MemberView[]; total: number } };
  'group.join': { args: { groupId: string }; result: GroupView };
  'group.apply': { args: { groupId: string; reason?: string }; result: { requestId: number } };
  'group.approve': { args: { groupId: string; requestId: number }; result: null };
  'group.reject': { args: { groupId: string; requestId: number; reason?: string }; result: null };
  /** invited: whom the invite reached (joined, or asked to confirm); alreadyMembers: those named who were in already. */
  'group.invite': { args: { groupId: string; users: string[]; reason?: string }; result: { invited: string[]; alreadyMembers: string[] } };
  'group.acceptInvite': { args: { groupId: string; requestId: number }; result: null };
  'group.declineInvite': { args: { groupId: string; requestId: number; reason?: string }; result: null };
  'group.kick': { args: { groupId: string; users: string[] }; result: null };
  'group.quit': { args: { groupId: string }; result: null };
  'group.dismiss': { args: { groupId: string }; result: null };
  'group.transfer': { args: { groupId: string; user: string }; result: null };
  'group.setRole': { args: { groupId: string; user: string; role: 'admin' | 'member' }; result: null };
  'group.mute': { args: { groupId: string; user: string; seconds: number }; result: null };
  'group.setCard': { args: { groupId: string; user?: string; card: string }; result: null };
  'group.setDnd': { args: { groupId: string; on: boolean }; result: null };
  'group.modify': {
    args: { groupId: string; name?: string; announcement?: string; mode?: GroupModeName; inviteConfirm?: boolean; muteAll?: boolean };
    result: GroupView;
  };
  'group.requests': { args: Record<string, never>; result: NoticeView[] };
  /**
   * Sends a file the user picked, pasted or recorded: the page has no paths, so it hands the bytes
   * (base64). Answers at once with the message (sending): it waits in the outbox for its upload,
   * across restarts, and the upload's progress arrives as `media.progress` under the message's key.
   * A failed upload marks the message failed with its code; `message.retry` resumes it.
   * `clientMsgId` (newPageClientMsgId): the id the page showed the message under while it read and
   * handed over the bytes; the message takes it, and the time in it (never later than the server's
   * time as the core reckons it: docs/client.md, "Server time"), so it stays where the page showed it. A second call with an id already stored answers
   * that message and stores nothing.
   */
  'media.send': {
    args: { conversation: string; kind: 'image' | 'file' | 'voice'; name: string; bytes: string; durationMs?: number; clientMsgId?: string };
    result: MessageView;
  };
  /**
   * A media message's file (or an image's thumbnail), fetched once into the profile's cache and
   * handed over as base64 to show from a blob: URL or to save; progress as `media.progress` under the key.
   * The sender's own file not uploaded yet comes from its local copy (an image's whole file as its thumbnail).
   * `view`: an image as the viewer shows it, the file itself unless it has more than
   * MEDIA_LIMITS.maxViewPixels pixels, else a WebP copy scaled to fit in viewScaledSidePx, with
   * `scaledFrom` the original's sides.
   */
  'media.fetch': {
    args: { key: string; thumb?: boolean; view?: boolean };
    result: { mime: string; size: number; bytes: string; scaledFrom?: { width: number; height: number } };
  };
  /**
   * Electron shell only: opens a media message's file (fetched into the cache first) with the
   * system's default app. The web shell answers METHOD_UNAVAILABLE; its page opens a blob: URL.
   */
  'media.open': { args: { key: string }; result: null };
  /**
   * Electron shell only: asks where to save a media message's file (the system's save dialog)
   * and copies it there; saved is false when the user cancelled. The web shell answers
   * METHOD_UNAVAILABLE; its page saves through the browser's download.
   */
  'media.save': { args: { key: string }; result: { saved: boolean } };
}

export type MethodName = keyof Methods;
export type MethodArgs<M extends MethodName> = Methods[M]['args'];
export type MethodResult<M extends MethodName> = Methods[M]['result'];
/** Kept for the shells' switch statements. */
export type MethodArgsMap = { [M in MethodName]: MethodArgs<M> };

// ---- events ----------------------------------------------------------------------------------

export interface EventPayloads {
  'connection.state': ConnectionInfo;
  'sync.progress': { applied: number; target: number; done: boolean };
  'message.upserted': { message: MessageView };
  'message.removed': { conversation: string; key: string };
  'conversation.updated': { conversation: ConversationView };
  'conversation.removed': { conversation: string };
  typing: { conversation: string; from: string; stopped: boolean };
  'notification.open': { conversation: string };
  'group.updated': { group: GroupView };
  /** A member of the group set or cleared (card '') their alias: shown at once, no line in the chat. */
  'group.memberCard': { groupId: string; userId: string; card: string };
  /** The core fetched these profiles (after a sign-in, a message from them): every name shown follows. */
  'profiles.updated': { profiles: ProfileView[] };
  'session.ended': { reason: string; code?: number };
  /** A message's upload or download moved on: `ref` is the message's key. */
  'media.progress': { ref: string; loaded: number; total: number };
}
export type EventName = keyof EventPayloads;

/** Errors cross the boundary as values, never as thrown exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A failed call: a stable code, a message for people (English), and the server address it is about, where it names one. */
export interface ApiError {
  readonly code: number;
  readonly message: string;
  /** The Server addresses entry (or host:port) the error is about: SERVER_ADDRESS_INVALID, TLS_REQUIRED, TLS_UNAVAILABLE. */
  readonly address?: string;
}

export interface MagpieApi {
  invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

/** The IPC channels the Electron shell uses: nothing else is reachable. */
/**
 * The error codes a call's answer may carry that the page acts on, by name, so the renderer needs
 * no raw numbers. The contract's own (171008-171011) say a call itself was wrong; the others are
 * core and server codes the page handles specially. Values equal protocol/errors.ts's ErrorCode
 * (a unit test holds them to it); this file stays free of runtime imports the page would bundle.
 */
export const ApiErrorCode = {
  /** The method is not part of the contract. */
  UNKNOWN_METHOD: 171008,
  /** The arguments do not match the method's schema. */
  BAD_ARGUMENT: 171009,
  /** The method exists but this shell does not serve it. */
  METHOD_UNAVAILABLE: 171010,
  /** (Electron) the call came from a page other than Magpie's own window. */
  UNKNOWN_SENDER: 171011,
  /** An entry of the sign-in form's server addresses is no address, or its port is out of range. */
  SERVER_ADDRESS_INVALID: 171012,
  /** A plain address on the server's TLS port (the error's `address` is the host:port). */
  TLS_REQUIRED: 170018,
  /** A tls:// address on a port that does not speak TLS (the error's `address` is the host:port). */
  TLS_UNAVAILABLE: 171013,
  /** A file of 0 bytes: not sent (no retry can help). */
  FILE_EMPTY: 171075,
  /** The page could not read a picked file's bytes (moved, changed or removed since it was picked): its bubble fails, "Retry" reads it again. */
  FILE_UNREADABLE: 171090,
  NOT_CONNECTED: 171001,
  CONNECTION_CLOSED: 171003,
  KICKED_OFF: 175004,
  INVALID_USER_ID: 520005,
  /** A file over the page's send limit (MEDIA_LIMITS.maxSendBytes) or the server's for its kind. */
  FILE_TOO_LARGE: 581004,
  /** The server refused a new upload for its user's upload limits; its message says when it fits again (docs/protocol.md). */
  UPLOAD_QUOTA_EXCEEDED: 581008,
  /** Group requests that no longer wait (group.approve | reject | acceptInvite | declineInvite). */
  GROUP_NOT_FOUND: 560001,
  GROUP_DISMISSED: 560002,
  REQUEST_NOT_FOUND: 560008,
  /** Asked about a group one left or was removed from (its members): not an error to show. */
  NOT_GROUP_MEMBER: 560072,
  ALREADY_IN_GROUP: 590017,
  /** A send refused in a group: the sender is muted there on their own. */
  SELF_MUTED: 580007,
  /** A send refused in a group: its mute all is on and the sender is neither its owner nor an admin. */
  GROUP_MUTED_ALL: 580012,
} as const;
export type ApiErrorCodeName = keyof typeof ApiErrorCode;

export const IPC_INVOKE_CHANNEL = 'magpie:invoke';
export const IPC_EVENT_CHANNEL = 'magpie:event';

/**
 * The web shell carries the same contract over a WebSocket at ws://127.0.0.1:PORT/api?token=T
 * (the page is served at http://127.0.0.1:PORT/?token=T). JSON text messages, one per frame.
 */
export type WebClientMessage = { type: 'invoke'; id: number; method: string; args: unknown };
export type WebServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };
