import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeApp, createApp, deleteApp, rotateAppToken } from './app-operations';
import { appChangeSchema, appJson, appListSchema, appSchema, deletedSchema, newNameSchema, pushChangeSchema, pushSchema } from './app-resources';
import { idempotencyKeySchema } from './idempotency-key';
import { ownApp, type RestContext } from './rest-context';
import { userIdSchema } from './message-input';
import { MANAGES, READS } from './route-kinds';

const accountParams = z.object({ accountSid: z.string() });
const appParams = accountParams.extend({ appId: z.string() });

/** Apps of the signed main account: create, list, edit, delete, online/offline, token, push, presence. */
export function registerAppRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/v1/accounts/:accountSid/apps';
  const tags = ['apps'];

  app.get(base, { config: READS, schema: { tags, params: accountParams, response: { 200: appListSchema } } }, (request) => ({
    apps: ctx.identity.listApps(request.params.accountSid).map(appJson),
  }));

  app.post(
    base,
    {
      config: MANAGES,
      schema: {
        tags,
        params: accountParams,
        // the same key makes one app: a retried request answers the first app
        body: z.object({ name: newNameSchema, idempotencyKey: idempotencyKeySchema.optional() }).strict(),
        response: { 201: appSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(appJson(createApp(ctx, request.params.accountSid, request.body.name, request.body.idempotencyKey))),
  );

  app.get(`${base}/:appId`, { config: READS, schema: { tags, params: appParams, response: { 200: appSchema } } }, (request) =>
    appJson(ownApp(ctx, request.params.accountSid, request.params.appId)),
  );

  app.patch(
    `${base}/:appId`,
    {
      config: MANAGES,
      schema: {
        tags,
        params: appParams,
        body: appChangeSchema(newNameSchema),
        response: { 200: appSchema },
      },
    },
    (request) => appJson(changeApp(ctx, request.params.accountSid, request.params.appId, request.body)),
  );

  app.delete(`${base}/:appId`, { config: MANAGES, schema: { tags, params: appParams, response: { 200: deletedSchema } } }, (request) => {
    deleteApp(ctx, request.params.accountSid, request.params.appId);
    return { deleted: true as const };
  });

  for (const state of ['online', 'offline'] as const) {
    app.post(`${base}/:appId/${state}`, { config: MANAGES, schema: { tags, params: appParams, response: { 200: appSchema } } }, (request) =>
      appJson(changeApp(ctx, request.params.accountSid, request.params.appId, { state })),
    );
  }

  app.post(`${base}/:appId/token`, { config: MANAGES, schema: { tags, params: appParams, response: { 200: appSchema } } }, (request) =>
    appJson(rotateAppToken(ctx, request.params.accountSid, request.params.appId)),
  );

  app.get(`${base}/:appId/push`, { config: READS, schema: { tags, params: appParams, response: { 200: pushSchema } } }, (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    return ctx.pushSettings.get(appId);
  });

  app.put(
    `${base}/:appId/push`,
    {
      config: MANAGES,
      schema: {
        tags,
        params: appParams,
        body: pushChangeSchema,
        response: { 200: pushSchema },
      },
    },
    (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      return ctx.pushSettings.set(appId, request.body);
    },
  );

  app.post(
    `${base}/:appId/presence`,
    {
      config: READS,
      schema: {
        tags,
        params: appParams,
        body: z.object({ users: z.array(userIdSchema).min(1).max(ctx.tuning.maxPresenceQueryUsers) }).strict(),
        response: { 200: z.object({ users: z.array(z.object({ userId: z.string(), online: z.boolean(), devices: z.array(z.string()) })) }) },
      },
    },
    (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      return {
        // each id once, in the order first named: a list with repeats asks about fewer users
        users: [...new Set(request.body.users)].map((userId) => {
          const sessions = ctx.sessions.sessionsOf(appId, userId);
          return { userId, online: sessions.length > 0, devices: sessions.map((session) => session.caller.deviceId || 'unknown') };
        }),
      };
    },
  );
}
