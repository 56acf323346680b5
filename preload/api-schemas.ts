/**
 * The runtime check of the contract: one zod schema per method's arguments. Shells validate every
 * call with these before it reaches the core; `satisfies` keeps them equal to api.ts.
 */
import { z } from 'zod';
import { GROUP_LIMITS, MEDIA_LIMITS, MESSAGE_LIMITS, type MethodArgs, type MethodName } from './api';

const empty = z.object({}).strict();
const id = z.string().min(1).max(64);
const ids = z.array(id).max(500);
const groupId = z.string().regex(/^g[A-Za-z0-9]{1,63}$/);
const conversation = z.string().min(1).max(64);
const key = z.string().min(1).max(80);
const requestId = z.number().int().nonnegative();
const mode = z.enum(['public', 'approval', 'private']);
const offset = z.number().int().min(0).max(1_000_000).optional();
const limit = z.number().int().min(1).max(500).optional();
const server = z.string().min(3).max(300);

const auth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('password'), user: id, password: z.string().min(1).max(256) }).strict(),
  z.object({ type: z.literal('appToken'), user: id, token: z.string().min(1).max(256) }).strict(),
  z.object({
    type: z.literal('signed'),
    user: id,
    signature: z.string().min(1).max(256),
    timestamp: z.string().min(1).max(32),
    algorithm: z.enum(['hmac-sha256', 'md5']),
  }).strict(),
]);

const location = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  title: z.string().max(MESSAGE_LIMITS.maxLocationTextChars),
  address: z.string().max(MESSAGE_LIMITS.maxLocationTextChars),
}).strict();

const content = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('text'),
    text: z.string().min(1).max(MESSAGE_LIMITS.maxTextChars),
    mentions: z.array(id).max(MESSAGE_LIMITS.maxMentions).optional(),
    mentionAll: z.boolean().optional(),
    burnAfterReading: z.boolean().optional(),
  }).strict(),
  z.object({ kind: z.literal('location'), location }).strict(),
  z.object({
    kind: z.literal('custom'),
    command: z.string().min(1).max(MESSAGE_LIMITS.maxCommandChars),
    payload: z.string().max(64 * 1024),
    transient: z.boolean().optional(),
    silent: z.boolean().optional(),
  }).strict(),
]);

const settings = z.object({
  notifications: z.boolean(),
  preview: z.enum(['full', 'sender', 'none']),
  language: z.enum(['system', 'zh-CN', 'en']),
  theme: z.enum(['system', 'light', 'dark']),
  servers: z.array(server).min(1).max(16),
});

export const methodSchemas = {
  'app.info': { args: empty },
  'session.login': {
    args: z.object({
      servers: z.array(server).min(1).max(16),
      appId: z.string().min(1).max(64),
      auth,
      mode: z.enum(['auto', 'force']).optional(),
      remember: z.boolean().optional(),
      caFile: z.string().min(1).max(4096).optional(),
    }).strict(),
  },
  'session.restore': { args: empty },
  'session.remembered': { args: empty },
  'session.logout': { args: z.object({ forget: z.boolean().optional() }).strict() },
  'session.connection': { args: empty },
  'session.reconnect': { args: empty },
  'ui.state': { args: z.object({ focused: z.boolean(), activeConversation: conversation.optional() }).strict() },
  'network.changed': { args: z.object({ online: z.boolean() }).strict() },
  'conversations.list': { args: empty },
  'conversation.markRead': { args: z.object({ conversation }).strict() },
  // a draft may run past the message limit while it is being cut down to size
  'conversation.setDraft': { args: z.object({ conversation, draft: z.string().max(4 * MESSAGE_LIMITS.maxTextChars) }).strict() },
  'conversation.setPinned': { args: z.object({ conversation, pinned: z.boolean() }).strict() },
  'conversation.setMuted': { args: z.object({ conversation, muted: z.boolean() }).strict() },
  'conversation.remove': { args: z.object({ conversation }).strict() },
  'messages.page': {
    args: z.object({
      conversation,
      before: z.object({ timeMs: z.number().int().nonnegative(), key: z.string().regex(/^\d{1,15}$/) }).strict().optional(),
      limit,
    }).strict(),
  },
  'message.send': { args: z.object({ conversation, content }).strict() },
  'message.retry': { args: z.object({ key }).strict() },
  'message.cancel': { args: z.object({ key }).strict() },
  'message.revoke': { args: z.object({ key }).strict() },
  'message.deleteLocal': { args: z.object({ key }).strict() },
  'message.burn': { args: z.object({ key }).strict() },
  'message.readers': { args: z.object({ key }).strict() },
  'typing.send': { args: z.object({ conversation, stopped: z.boolean().optional() }).strict() },
  'search.messages': { args: z.object({ query: z.string().min(1).max(200), limit, conversation: conversation.optional() }).strict() },
  'profile.me': { args: empty },
  'profile.update': {
    args: z.object({ nickname: z.string().min(1).max(64).optional(), avatar: z.string().max(512).optional() }).strict(),
  },
  'profiles.get': { args: z.object({ userIds: ids }).strict() },
  'settings.get': { args: empty },
  'settings.update': { args: settings.partial().strict() },
  'groups.create': {
    args: z.object({
      name: z.string().min(1).max(64),
      mode,
      capacity: z.union([z.literal(100), z.literal(300), z.literal(500), z.literal(1000), z.literal(2000)]).optional(),
      members: ids.optional(),
      announcement: z.string().max(GROUP_LIMITS.maxAnnouncementChars).optional(),
      inviteConfirm: z.boolean().optional(),
    }).strict(),
  },
  'groups.mine': { args: empty },
  'groups.search': { args: z.object({ keyword: z.string().max(GROUP_LIMITS.maxKeywordChars), offset, limit }).strict() },
  'group.info': { args: z.object({ groupId }).strict() },
  'group.members': { args: z.object({ groupId, offset, limit }).strict() },
  'group.join': { args: z.object({ groupId }).strict() },
  'group.apply': { args: z.object({ groupId, reason: z.string().max(500).optional() }).strict() },
  'group.approve': { args: z.object({ groupId, requestId }).strict() },
  'group.reject': { args: z.object({ groupId, requestId, reason: z.string().max(500).optional() }).strict() },
  'group.invite': { args: z.object({ groupId, users: ids.min(1), reason: z.string().max(500).optional() }).strict() },
  'group.acceptInvite': { args: z.object({ groupId, requestId }).strict() },
  'group.declineInvite': { args: z.object({ groupId, requestId, reason: z.string().max(500).optional() }).strict() },
  'group.kick': { args: z.object({ groupId, users: ids.min(1) }).strict() },
  'group.quit': { args: z.object({ groupId }).strict() },
  'group.dismiss': { args: z.object({ groupId }).strict() },
  'group.transfer': { args: z.object({ groupId, user: id }).strict() },
  'group.setRole': { args: z.object({ groupId, user: id, role: z.enum(['admin', 'member']) }).strict() },
  'group.mute': { args: z.object({ groupId, user: id, seconds: z.number().int().min(0).max(GROUP_LIMITS.maxMuteSeconds) }).strict() },
  'group.setCard': { args: z.object({ groupId, user: id.optional(), card: z.string().max(GROUP_LIMITS.maxCardChars) }).strict() },
  'group.setDnd': { args: z.object({ groupId, on: z.boolean() }).strict() },
  'group.modify': {
    args: z.object({
      groupId,
      name: z.string().min(1).max(64).optional(),
      announcement: z.string().max(GROUP_LIMITS.maxAnnouncementChars).optional(),
      mode: mode.optional(),
      inviteConfirm: z.boolean().optional(),
      muteAll: z.boolean().optional(),
    }).strict(),
  },
  'group.requests': { args: empty },
  'media.send': {
    args: z.object({
      conversation,
      kind: z.enum(['image', 'file', 'voice']),
      name: z.string().min(1).max(255),
      // base64 of at most maxSendBytes
      bytes: z.string().min(1).max(Math.ceil(MEDIA_LIMITS.maxSendBytes / 3) * 4),
      durationMs: z.number().int().min(0).max(3_600_000).optional(),
      clientMsgId: z.string().regex(/^[0-9a-f]{32}$/).optional(),
    }).strict(),
  },
  'media.fetch': { args: z.object({ key, thumb: z.boolean().optional(), view: z.boolean().optional() }).strict() },
  'media.open': { args: z.object({ key }).strict() },
  'media.save': { args: z.object({ key }).strict() },
} as const satisfies { [M in MethodName]: { args: z.ZodType<MethodArgs<M>> } };

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.hasOwn(methodSchemas, value);
}
