import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, MagpieError } from '../../protocol';
import { idempotencyKeySchema } from './idempotency-key';
import { clientMsgIdOf, groupIdSchema, messageInputSchema, recipientSchema, sendBodyOf, userIdSchema } from './message-input';
import { ownApp, restSender, SYSTEM_SENDER, uploadSizeOf, type RestContext } from './rest-context';
import { REACHES_USERS, READS } from './route-kinds';


/** A user a broadcast names: refused, as a send to it is, when it is the app's system sender. */
const broadcastRecipientSchema = userIdSchema.refine(
  (user) => user !== SYSTEM_SENDER,
  `is "${SYSTEM_SENDER}", the app's notification sender: nobody reads messages sent to it`,
);
const appParams = z.object({ accountSid: z.string(), appId: z.string() });
const jobSchema = z.object({
  jobId: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  total: z.number(),
  done: z.number(),
  failed: z.number(),
  createdMs: z.number(),
  finishedMs: z.number().nullable(),
  /** Why a failed job stopped (APP_OFFLINE: its app was taken offline mid-way); null while running and when done. */
  error: z.object({ code: z.number(), message: z.string() }).nullable(),
});
const historyMessage = z.object({
  msgId: z.string(),
  from: z.string(),
  to: z.string(),
  isGroup: z.boolean(),
  type: z.string(),
  text: z.string(),
  timeMs: z.number(),
  mentions: z.array(z.string()),
  custom: z.object({ command: z.string(), payload: z.string().nullable(), payloadBase64: z.string(), silent: z.boolean() }).optional(),
  media: z.object({ fileId: z.string(), name: z.string(), mime: z.string(), size: z.number() }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number(), title: z.string(), address: z.string() }).optional(),
  revoked: z.boolean(),
  burned: z.boolean(),
});

/** Sending as a user or as the app, broadcasts, and history. */
export function registerMessageRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/v1/accounts/:accountSid/apps/:appId';
  const tags = ['messages'];

  const senderOf = (appId: string, from: string | undefined) => restSender(ctx, appId, from);
  // a dismissed group keeps its row, and its history stays readable
  const groupKnown = ctx.db.prepare<[string, string], number>('SELECT 1 FROM groups WHERE app_id = ? AND group_id = ?').pluck();

  app.post(
    `${base}/messages`,
    {
      config: REACHES_USERS,
      schema: {
        tags,
        params: appParams,
        body: z
          .object({
            from: userIdSchema.optional(),
            to: recipientSchema,
            message: messageInputSchema,
            /** The same key sends once: a retried request answers the first receipt. */
            idempotencyKey: z.string().min(1).max(128).optional(),
          })
          .strict(),
        response: { 200: z.object({ msgId: z.string(), timeMs: z.number(), seq: z.number() }) },
      },
    },
    async (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const { from, to, message, idempotencyKey } = request.body;
      const key = idempotencyKey === undefined ? undefined : `rest:${idempotencyKey}`;
      const sender = senderOf(appId, from);
      const body = sendBodyOf(message, to, clientMsgIdOf(key, ctx.clock.now()), uploadSizeOf(ctx.files, appId, sender));
      const sent = await ctx.calls.send(appId, sender, body);
      return { msgId: String(sent.msgId), timeMs: Number(sent.timeMs), seq: Number(sent.seq) };
    },
  );

  app.post(
    `${base}/broadcasts`,
    {
      config: REACHES_USERS,
      schema: {
        tags,
        params: appParams,
        body: z
          .object({
            from: userIdSchema.optional(),
            /** Omitted: every user of the app. */
            to: z.array(broadcastRecipientSchema).min(1).max(ctx.tuning.maxBroadcastListUsers).optional(),
            message: messageInputSchema,
            /** The same key starts one job: a retried request answers the first job. */
            idempotencyKey: idempotencyKeySchema.optional(),
          })
          .strict(),
        response: { 202: jobSchema },
      },
    },
    async (request, reply) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const { from, to, message, idempotencyKey } = request.body;
      if (message.custom?.transient) throw new MagpieError(ErrorCode.REST_BAD_REQUEST, 'a broadcast is stored: it cannot be transient');
      const job = ctx.broadcasts.start(appId, senderOf(appId, from), message, to, idempotencyKey);
      return reply.code(202).send(job);
    },
  );

  app.get(
    `${base}/broadcasts/:jobId`,
    { config: READS, schema: { tags, params: appParams.extend({ jobId: z.string() }), response: { 200: jobSchema } } },
    (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      return ctx.broadcasts.get(appId, request.params.jobId);
    },
  );

  app.get(
    `${base}/history`,
    {
      config: READS,
      schema: {
        tags,
        params: appParams,
        querystring: z
          .object({
            user: userIdSchema.optional(),
            peer: userIdSchema.optional(),
            group: groupIdSchema.optional(),
            fromMs: z.coerce.number().int().min(0).default(0),
            toMs: z.coerce.number().int().min(0).default(Number.MAX_SAFE_INTEGER),
            cursor: z.string().max(64).optional(),
            limit: z.coerce.number().int().min(1).max(ctx.tuning.maxRestPageItems).default(100),
          })
          .refine((q) => (q.group !== undefined) !== (q.user !== undefined), 'give either group, or user (with or without peer)')
          .refine((q) => q.peer === undefined || q.user !== undefined, 'peer needs user'),
        response: { 200: z.object({ messages: z.array(historyMessage), nextCursor: z.string().optional() }) },
      },
    },
    (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const { user, peer, group, fromMs, toMs, cursor, limit } = request.query;
      if (group !== undefined && groupKnown.get(appId, group) === undefined) throw new MagpieError(ErrorCode.GROUP_NOT_FOUND, `no group ${group}`);
      const scope =
        group !== undefined
          ? { kind: 'group' as const, groupId: group }
          : peer !== undefined
            ? { kind: 'conversation' as const, user: user!, peer }
            : { kind: 'user' as const, user: user! };
      return ctx.history.page({ appId, scope, fromMs, toMs, cursor, limit });
    },
  );
}
