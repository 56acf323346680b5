import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppInfo } from '../identity/identity';
import { ownApp, takeAppOffline } from '../rest/rest-context';
import type { ConsoleContext } from './console-context';
import { sendTestPush } from './test-push';

const appParams = z.object({ appId: z.string().min(1).max(64) });
const appSchema = z.object({ appId: z.string(), name: z.string(), appToken: z.string(), state: z.enum(['online', 'offline']), dateCreated: z.string() });
const pushSchema = z.object({ url: z.string().nullable(), secret: z.string().nullable(), hideContent: z.boolean() });
const appName = z.string().trim().min(1).max(64);
const DAY_MS = 86_400_000;

function appJson(app: AppInfo): z.infer<typeof appSchema> {
  return { appId: app.appId, name: app.name, appToken: app.appToken, state: app.state, dateCreated: app.dateCreated };
}

/** The signed-in account's apps, through the REST API's own context and ownership check. */
export function registerConsoleAppRoutes(root: FastifyInstance, ctx: ConsoleContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rest } = ctx;
  const base = '/console/api/apps';
  const owned = (request: Parameters<typeof ctx.guard.sessionOf>[0], appId: string) => ownApp(rest, ctx.guard.sessionOf(request).accountSid, appId);

  app.get(base, { schema: { response: { 200: z.object({ apps: z.array(appSchema) }) } } }, (request) => ({
    apps: rest.identity.listApps(ctx.guard.sessionOf(request).accountSid).map(appJson),
  }));

  app.post(base, { schema: { body: z.object({ name: appName }).strict(), response: { 201: appSchema } } }, async (request, reply) =>
    reply.code(201).send(appJson(rest.identity.createApp(ctx.guard.sessionOf(request).accountSid, request.body.name))),
  );

  app.patch(
    `${base}/:appId`,
    {
      schema: {
        params: appParams,
        body: z.object({ name: appName.optional(), state: z.enum(['online', 'offline']).optional() }).strict(),
        response: { 200: appSchema },
      },
    },
    (request) => {
      const { appId } = owned(request, request.params.appId);
      if (request.body.name !== undefined) rest.identity.renameApp(appId, request.body.name);
      if (request.body.state === 'offline') takeAppOffline(rest, appId, 'the app was taken offline');
      if (request.body.state === 'online') rest.access.setAppState(appId, 'online');
      return appJson(owned(request, appId));
    },
  );

  app.delete(`${base}/:appId`, { schema: { params: appParams, response: { 200: z.object({ deleted: z.literal(true) }) } } }, (request) => {
    const { appId } = owned(request, request.params.appId);
    takeAppOffline(rest, appId, 'the app was deleted');
    rest.identity.deleteApp(appId);
    return { deleted: true as const };
  });

  app.post(`${base}/:appId/token`, { schema: { params: appParams, response: { 200: appSchema } } }, (request) =>
    appJson(rest.identity.rotateAppToken(owned(request, request.params.appId).appId)),
  );

  app.get(`${base}/:appId/push`, { schema: { params: appParams, response: { 200: pushSchema } } }, (request) =>
    rest.pushSettings.get(owned(request, request.params.appId).appId),
  );

  app.put(
    `${base}/:appId/push`,
    {
      schema: {
        params: appParams,
        body: z.object({ url: z.string().max(2048).nullable().optional(), hideContent: z.boolean().optional(), rotateSecret: z.boolean().optional() }).strict(),
        response: { 200: pushSchema },
      },
    },
    (request) => rest.pushSettings.set(owned(request, request.params.appId).appId, request.body),
  );

  app.post(
    `${base}/:appId/push/test`,
    {
      schema: {
        params: appParams,
        response: { 200: z.object({ delivered: z.boolean(), status: z.number().optional(), error: z.string().optional() }) },
      },
    },
    async (request) => {
      const { appId } = owned(request, request.params.appId);
      return sendTestPush(appId, rest.pushSettings.get(appId), { clock: rest.clock, timeoutMs: rest.tuning.pushTimeoutMs });
    },
  );

  app.get(
    `${base}/:appId/stats`,
    {
      schema: {
        params: appParams,
        // the start of the viewer's own day, so "today" is theirs and not the server's
        querystring: z.object({ sinceMs: z.coerce.number().int().min(0) }),
        response: { 200: z.object({ onlineUsers: z.number(), messagesSince: z.number() }) },
      },
    },
    (request) => {
      const { appId } = owned(request, request.params.appId);
      const sinceMs = Math.max(request.query.sinceMs, rest.clock.now() - 2 * DAY_MS);
      return ctx.stats.of(appId, sinceMs);
    },
  );
}
