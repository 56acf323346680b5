import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, MagpieError, type pb } from '../../protocol';
import { idempotencyKeySchema } from './idempotency-key';
import { groupIdSchema, userIdSchema } from './message-input';
import { ownApp, refuseClosedActor, type RestContext } from './rest-context';
import { REACHES_USERS, READS } from './route-kinds';

const appParams = z.object({ accountSid: z.string(), appId: z.string() });
const groupParams = appParams.extend({ groupId: groupIdSchema });
const TYPES = ['temporary', 'normal', 'senior', 'advanced', 'super'] as const;
const MODES = ['public', 'approval', 'private'] as const;
const ROLES = ['none', 'member', 'admin', 'owner'] as const;
/** A group made without a type holds 500 members, the owner included (DEFAULT_GROUP_CAPACITY of the apps). */
const DEFAULT_TYPE: (typeof TYPES)[number] = 'senior';
const groupSchema = z.object({
  groupId: z.string(),
  name: z.string(),
  owner: z.string(),
  type: z.enum(TYPES),
  mode: z.enum(MODES),
  announcement: z.string(),
  memberCount: z.number(),
  capacity: z.number(),
  createdMs: z.number(),
  dismissed: z.boolean(),
  /** Mute all: only the owner and admins may send to the group while it is on. */
  muteAll: z.boolean(),
});
const okSchema = z.object({ ok: z.literal(true) });

/**
 * The CreateGroup request id of a REST create's idempotency key: the same row (app, owner, id) a
 * client's request id takes in group_creates, so the same 24 hours and the same answer to a repeat.
 * Hashed, so the id has a length the wire takes (32 bytes) and never equals a client's own id.
 */
function createRequestIdOf(key: string | undefined): Uint8Array {
  if (key === undefined) return new Uint8Array(0);
  return new Uint8Array(createHash('sha256').update(`rest-group-create:${key}`).digest());
}

function groupJson(info: pb.GroupInfo): z.infer<typeof groupSchema> {
  return {
    groupId: info.groupId,
    name: info.name,
    owner: info.owner,
    type: TYPES[info.type] ?? 'normal',
    mode: MODES[info.mode] ?? 'public',
    announcement: info.announcement,
    memberCount: info.memberCount,
    capacity: info.capacity,
    createdMs: Number(info.createdMs),
    dismissed: info.dismissed,
    muteAll: info.muteAll,
  };
}

interface DismissedRow {
  group_id: string;
  name: string;
  owner: string;
  type: number;
  mode: number;
  announcement: string;
  member_count: number;
  capacity: number;
  created_ms: number;
  mute_all: number;
}

function dismissedGroupJson(row: DismissedRow): z.infer<typeof groupSchema> {
  return {
    groupId: row.group_id,
    name: row.name,
    owner: row.owner,
    type: TYPES[row.type] ?? 'normal',
    mode: MODES[row.mode] ?? 'public',
    announcement: row.announcement,
    memberCount: row.member_count,
    capacity: row.capacity,
    createdMs: Number(row.created_ms),
    dismissed: true,
    muteAll: row.mute_all === 1,
  };
}

function resultGroup(result: pb.GroupResult): pb.GroupInfo {
  if (result.result.case !== 'group') throw new MagpieError(ErrorCode.INTERNAL, 'expected a group');
  return result.result.value;
}

/**
 * Groups as the app server manages them. Each call runs as the group's owner (or, for create,
 * the owner named), through the same GROUP operations and rules a client's requests go through.
 */
export function registerGroupRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/v1/accounts/:accountSid/apps/:appId/groups';
  const tags = ['groups'];
  const ownerOf = ctx.db.prepare<[string, string], string>('SELECT owner FROM groups WHERE app_id = ? AND group_id = ?').pluck();
  // a dismissed group's info as it was left: its owner is no member now, and a private group
  // shows itself to members only, so the service would refuse the app server its own group
  const dismissedRow = ctx.db.prepare<[string, string], DismissedRow>(
    `SELECT group_id, name, owner, type, mode, announcement, member_count, capacity, created_ms, mute_all
     FROM groups WHERE app_id = ? AND group_id = ? AND dismissed_ms IS NOT NULL`,
  );

  const asOwner = (appId: string, groupId: string): string => {
    const owner = ownerOf.get(appId, groupId);
    if (owner === undefined) throw new MagpieError(ErrorCode.GROUP_NOT_FOUND, `no group ${groupId}`);
    return owner;
  };
  /** The owner a change runs as; a closed one changes nothing, as it sends nothing (reads still answer). */
  const asActingOwner = (appId: string, groupId: string): string => {
    const owner = asOwner(appId, groupId);
    refuseClosedActor(ctx, appId, owner, `it owns group ${groupId}, which cannot be changed in its name`);
    return owner;
  };

  app.post(
    base,
    {
      config: REACHES_USERS,
      schema: {
        tags,
        params: appParams,
        body: z
          .object({
            owner: userIdSchema,
            // the lengths are the group service's to check (code points: an emoji is one), so
            // a name or announcement too long answers INVALID_GROUP_ARGUMENT as over the socket
            name: z.string(),
            // 500 members, as the desktop app and the CLI make a group (docs/rest.md)
            type: z.enum(TYPES).default(DEFAULT_TYPE),
            mode: z.enum(MODES).default('public'),
            announcement: z.string().default(''),
            members: z.array(userIdSchema).max(2000).default([]),
            /** The same key makes one group: a retried create answers the group the first made. */
            idempotencyKey: idempotencyKeySchema.optional(),
          })
          .strict(),
        response: { 201: groupSchema },
      },
    },
    async (request, reply) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const { owner, name, type, mode, announcement, members, idempotencyKey } = request.body;
      refuseClosedActor(ctx, appId, owner, 'no group can be created in its name');
      ctx.users.ensureUser(appId, owner);
      const result = await ctx.calls.group(appId, owner, {
        case: 'create',
        value: {
          $typeName: 'magpie.v1.CreateGroup',
          name,
          type: TYPES.indexOf(type),
          mode: MODES.indexOf(mode),
          announcement,
          members,
          inviteConfirm: false,
          requestId: createRequestIdOf(idempotencyKey),
        },
      });
      return reply.code(201).send(groupJson(resultGroup(result)));
    },
  );

  app.get(`${base}/:groupId`, { config: READS, schema: { tags, params: groupParams, response: { 200: groupSchema } } }, async (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    const { groupId } = request.params;
    const owner = asOwner(appId, groupId);
    const dismissed = dismissedRow.get(appId, groupId);
    if (dismissed !== undefined) return dismissedGroupJson(dismissed);
    const result = await ctx.calls.group(appId, owner, { case: 'info', value: { $typeName: 'magpie.v1.GroupRef', groupId } });
    return groupJson(resultGroup(result));
  });

  app.delete(`${base}/:groupId`, { config: REACHES_USERS, schema: { tags, params: groupParams, response: { 200: okSchema } } }, async (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    const { groupId } = request.params;
    await ctx.calls.group(appId, asActingOwner(appId, groupId), { case: 'dismiss', value: { $typeName: 'magpie.v1.GroupRef', groupId } });
    return { ok: true as const };
  });

  app.get(
    `${base}/:groupId/members`,
    {
      config: READS,
      schema: {
        tags,
        params: groupParams,
        querystring: z.object({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(ctx.tuning.maxRestPageItems).default(100),
        }),
        response: {
          200: z.object({
            total: z.number(),
            members: z.array(z.object({ userId: z.string(), role: z.enum(ROLES), nickname: z.string(), joinedMs: z.number() })),
            /** As the group's info says: a dismissed group has no members left. */
            dismissed: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const { groupId } = request.params;
      const { offset, limit } = request.query;
      const owner = asOwner(appId, groupId);
      // read as the info reads it: the group is there, dismissed, and its members are gone
      if (dismissedRow.get(appId, groupId) !== undefined) return { total: 0, members: [], dismissed: true };
      const result = await ctx.calls.group(appId, owner, {
        case: 'members',
        value: { $typeName: 'magpie.v1.ListMembers', groupId, offset, limit },
      });
      if (result.result.case !== 'members') throw new MagpieError(ErrorCode.INTERNAL, 'expected members');
      const page = result.result.value;
      return {
        total: page.total,
        members: page.members.map((m) => ({ userId: m.userId, role: ROLES[m.role] ?? 'member', nickname: m.nickname, joinedMs: Number(m.joinedMs) })),
        dismissed: false,
      };
    },
  );

  const usersBody = z.object({ users: z.array(userIdSchema).min(1).max(500) }).strict();

  /** Whom an add reached (joined, or asked to confirm where the group asks it) and who was in already. */
  const addedSchema = okSchema.extend({ invited: z.array(z.string()), alreadyMembers: z.array(z.string()) });

  app.post(`${base}/:groupId/members`, { config: REACHES_USERS, schema: { tags, params: groupParams, body: usersBody, response: { 200: addedSchema } } }, async (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    const { groupId } = request.params;
    const result = await ctx.calls.group(appId, asActingOwner(appId, groupId), {
      case: 'invite',
      value: { $typeName: 'magpie.v1.GroupUsers', groupId, users: request.body.users, reason: '' },
    });
    return { ok: true as const, invited: result.invited, alreadyMembers: result.alreadyMembers };
  });

  app.post(`${base}/:groupId/kick`, { config: REACHES_USERS, schema: { tags, params: groupParams, body: usersBody, response: { 200: okSchema } } }, async (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    const { groupId } = request.params;
    await ctx.calls.group(appId, asActingOwner(appId, groupId), {
      case: 'kick',
      value: { $typeName: 'magpie.v1.GroupUsers', groupId, users: request.body.users, reason: '' },
    });
    return { ok: true as const };
  });
}
