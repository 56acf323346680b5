import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppInfo } from '../identity/identity';
import { ownApp, takeAppOffline, type RestContext } from './rest-context';
import { userIdSchema } from './message-input';

const accountParams = z.object({ accountSid: z.string() });
const appParams = accountParams.extend({ appId: z.string() });
const appSchema = z.object({
  appId: z.string(),
  name: z.string(),
  appToken: z.string(),
  state: z.enum(['online', 'offline']),
  dateCreated: z.string(),
});
const pushSchema = z.object({ url: z.string().nullable(), secret: z.string().nullable(), hideContent: z.boolean() });
const appName = z.string().min(1).max(64);

function appJson(app: AppInfo): z.infer<typeof appSchema> {
  return { appId: app.appId, name: app.name, appToken: app.appToken, state: app.state, dateCreated: app.dateCreated };
}

/** Apps of the signed main account: create, list, edit, delete, online/offline, token, push, presence. */
export function registerAppRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/v1/accounts/:accountSid/apps';
  const tags = ['apps'];

  app.get(base, { schema: { tags, params: accountParams, response: { 200: z.object({ apps: z.array(appSchema) }) } } }, (request) => ({
    apps: ctx.identity.listApps(request.params.accountSid).map(appJson),
  }));

  app.post(
    base,
    { schema: { tags, params: accountParams, body: z.object({ name: appName }).strict(), response: { 201: appSchema } } },
    async (request, reply) => reply.code(201).send(appJson(ctx.identity.createApp(request.params.accountSid, request.body.name))),
  );

  app.get(`${base}/:appId`, { schema: { tags, params: appParams, response: { 200: appSchema } } }, (request) =>
    appJson(ownApp(ctx, request.params.accountSid, request.params.appId)),
  );

  app.patch(
    `${base}/:appId`,
    {
      schema: {
        tags,
        params: appParams,
        body: z.object({ name: appName.optional(), state: z.enum(['online', 'offline']).optional() }).strict(),
        response: { 200: appSchema },
      },
    },
    (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      if (request.body.name !== undefined) ctx.identity.renameApp(appId, request.body.name);
      if (request.body.state === 'offline') takeAppOffline(ctx, appId, 'the app was taken offline');
      if (request.body.state === 'online') ctx.access.setAppState(appId, 'online');
      return appJson(ownApp(ctx, request.params.accountSid, appId));
    },
  );

  app.delete(`${base}/:appId`, { schema: { tags, params: appParams, response: { 200: z.object({ deleted: z.literal(true) }) } } }, (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    takeAppOffline(ctx, appId, 'the app was deleted');
    ctx.identity.deleteApp(appId);
    return { deleted: true as const };
  });

  for (const state of ['online', 'offline'] as const) {
    app.post(`${base}/:appId/${state}`, { schema: { tags, params: appParams, response: { 200: appSchema } } }, (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      if (state === 'offline') takeAppOffline(ctx, appId, 'the app was taken offline');
      else ctx.access.setAppState(appId, 'online');
      return appJson(ownApp(ctx, request.params.accountSid, appId));
    });
  }

  app.post(`${base}/:appId/token`, { schema: { tags, params: appParams, response: { 200: appSchema } } }, (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    return appJson(ctx.identity.rotateAppToken(appId));
  });

  app.get(`${base}/:appId/push`, { schema: { tags, params: appParams, response: { 200: pushSchema } } }, (request) => {
    const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
    return ctx.pushSettings.get(appId);
  });

  app.put(
    `${base}/:appId/push`,
    {
      schema: {
        tags,
        params: appParams,
        body: z
          .object({ url: z.string().max(2048).nullable().optional(), hideContent: z.boolean().optional(), rotateSecret: z.boolean().optional() })
          .strict(),
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
        users: request.body.users.map((userId) => {
          const sessions = ctx.sessions.sessionsOf(appId, userId);
          return { userId, online: sessions.length > 0, devices: sessions.map((session) => session.caller.deviceId || 'unknown') };
        }),
      };
    },
  );
}
