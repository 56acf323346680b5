import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { ErrorCode, isGroupId, MagpieError, type ServerLimits } from '../../protocol';
import type { ConversationView, LoginAuth, SignInMethod } from '../../preload/api';
import { createChatService, type ChatService } from '../chat/chat-service';
import { createMuteService, type MuteService } from '../chat/mute-service';
import { loginRequest } from '../client/login-request';
import { MagpieClient } from '../client/magpie-client';
import type { EngineTuning } from '../engine/tuning';
import { createGroupService, type GroupService } from '../groups/group-service';
import { createProfileService, type ProfileService } from '../profiles/profile-service';
import { REVOKED_PREVIEW, type Conversation, type StoredMessage } from '../store';
import { toConversationView } from '../views/conversation-view';

/** One signed-in user: the engine and the services on it. */
export interface Session {
  readonly client: MagpieClient;
  readonly chat: ChatService;
  readonly groups: GroupService;
  readonly profiles: ProfileService;
  /** One-to-one mutes, kept on the server. */
  readonly mutes: MuteService;
  readonly servers: string[];
  /** How it signed in, without the secret. */
  readonly signedInWith: SignInMethod;
  conversationView(conversation: Conversation): ConversationView;
  conversationTitle(id: string): string;
}

/** The CA file's PEM; unreadable, it is the login's own error, before any connect. */
function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new MagpieError(ErrorCode.CERTIFICATE_REJECTED, `the CA file ${file} cannot be read: ${(error as Error).message}`);
  }
}

export function openSession(options: {
  profileDir: string;
  servers: string[];
  /** Addresses the service advertised in an earlier session, raced after servers. */
  learnedServers?: string[] | undefined;
  /** What the server told at an earlier session's login: the limits until this session's first. */
  serverLimits?: ServerLimits | undefined;
  /** A CA certificate file trusted besides the system's (the login's advanced option). */
  caFile?: string | undefined;
  appId: string;
  auth: LoginAuth;
  mode?: 'auto' | 'force';
  deviceId: string;
  log: Logger;
  tuning?: Partial<EngineTuning>;
  clientName: string;
}): Session {
  const login = loginRequest(options.appId, options.auth, { mode: options.mode, deviceId: options.deviceId });
  const client = new MagpieClient({
    profileDir: options.profileDir,
    servers: options.servers,
    ...(options.learnedServers ? { learnedServers: options.learnedServers } : {}),
    ...(options.serverLimits ? { serverLimits: options.serverLimits } : {}),
    ...(options.caFile ? { transport: { caPem: readCaFile(options.caFile) } } : {}),
    login: { ...login, appId: options.appId, user: options.auth.user },
    tuning: options.tuning,
    log: options.log,
    clientName: options.clientName,
  });
  const conversationTitle = (id: string): string => {
    if (isGroupId(id)) return client.store.groups.getGroup(id)?.name || id;
    return client.store.users.get(id)?.nickname || id;
  };
  /** Only a revoked last message is looked up (one read by key): the preview then says who revoked it. */
  const revokedByOther = (conversation: Conversation, last: StoredMessage | undefined): string | undefined => {
    if (conversation.lastPreview !== REVOKED_PREVIEW) return undefined;
    return last?.revokedBy && last.revokedBy !== last.from ? last.revokedBy : undefined;
  };
  const conversationView = (conversation: Conversation): ConversationView => {
    const latestNotice = conversation.kind === 'group' ? client.store.notices.latestForGroup(conversation.id) : undefined;
    // the last message only when something needs it: a revoke by another, or a notice to place
    const needsLast = conversation.lastLocalId !== null && (latestNotice !== undefined || conversation.lastPreview === REVOKED_PREVIEW);
    const last = needsLast ? client.store.messages.getByLocalId(conversation.lastLocalId!) : undefined;
    return toConversationView(conversation, conversationTitle(conversation.id), revokedByOther(conversation, last), latestNotice, last);
  };
  return {
    client,
    chat: createChatService(client),
    groups: createGroupService(client),
    profiles: createProfileService(client),
    mutes: createMuteService(client),
    servers: options.servers,
    signedInWith: options.auth.type === 'signed' ? { type: 'signed', algorithm: options.auth.algorithm } : { type: options.auth.type },
    conversationTitle,
    conversationView,
  };
}
