import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeApp, createApp, deleteApp, rotateAppToken } from '../rest/app-operations';
import { appChangeSchema, appJson, appListSchema, appSchema, deletedSchema, pushChangeSchema, pushSchema, newNameSchema } from '../rest/app-resources';
import { idempotencyKeySchema } from '../rest/idempotency-key';
import { ownApp } from '../rest/rest-context';
import type { ConsoleContext } from './console-context';
import { sendTestPush } from './test-push';

const appParams = z.object({ appId: z.string().min(1).max(64) });
const DAY_MS = 86_400_000;

/** The signed-in account's apps, through the REST API's own context, operations and ownership check. */
export function registerConsoleAppRoutes(root: FastifyInstance, ctx: ConsoleContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rest } = ctx;
  const base = '/console/api/apps';
  const accountOf = (request: FastifyRequest) => ctx.guard.accountOf(request);
  const owned = (request: FastifyRequest, appId: string) => ownApp(rest, accountOf(request), appId);

  app.get(base, { schema: { response: { 200: appListSchema } } }, (request) => ({
    apps: rest.identity.listApps(accountOf(request)).map(appJson),
  }));

  // the page sends a key per form, so a second submit after a lost answer makes no second app
  app.post(
    base,
    { schema: { body: z.object({ name: newNameSchema, idempotencyKey: idempotencyKeySchema.optional() }).strict(), response: { 201: appSchema } } },
    async (request, reply) => reply.code(201).send(appJson(createApp(rest, accountOf(request), request.body.name, request.body.idempotencyKey))),
  );

  app.patch(`${base}/:appId`, { schema: { params: appParams, body: appChangeSchema(newNameSchema), response: { 200: appSchema } } }, (request) =>
    appJson(changeApp(rest, accountOf(request), request.params.appId, request.body)),
  );

  app.delete(`${base}/:appId`, { schema: { params: appParams, response: { 200: deletedSchema } } }, (request) => {
    deleteApp(rest, accountOf(request), request.params.appId);
    return { deleted: true as const };
  });

  app.post(`${base}/:appId/token`, { schema: { params: appParams, response: { 200: appSchema } } }, (request) =>
    appJson(rotateAppToken(rest, accountOf(request), request.params.appId)),
  );

  app.get(`${base}/:appId/push`, { schema: { params: appParams, response: { 200: pushSchema } } }, (request) =>
    rest.pushSettings.get(owned(request, request.params.appId).appId),
  );

  app.put(`${base}/:appId/push`, { schema: { params: appParams, body: pushChangeSchema, response: { 200: pushSchema } } }, (request) =>
    rest.pushSettings.set(owned(request, request.params.appId).appId, request.body),
  );

  app.post(
    `${base}/:appId/push/test`,
    {
      schema: {
        params: appParams,
        response: {
          200: z.object({
            delivered: z.boolean(),
            reason: z.enum(['no-url', 'status', 'no-answer']).optional(),
            status: z.number().optional(),
            error: z.string().optional(),
          }),
        },
      },
    },
    async (request) => {
      const { appId } = owned(request, request.params.appId);
      ctx.testPushLimit.take(appId);
      return sendTestPush(appId, rest.pushSettings.get(appId), { clock: rest.clock, timeoutMs: rest.tuning.pushTimeoutMs, log: rest.log });
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
