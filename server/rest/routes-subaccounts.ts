import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, MagpieError } from '../../protocol';
import type { SubAccountInfo } from '../identity/identity';
import { closeSubAccount, ownApp, ownSubAccount, type RestContext } from './rest-context';

const appParams = z.object({ accountSid: z.string(), appId: z.string() });
const subParams = appParams.extend({ subAccountSid: z.string() });
const subSchema = z.object({
  subAccountSid: z.string(),
  voipAccount: z.string(),
  friendlyName: z.string(),
  closed: z.boolean(),
  dateCreated: z.string(),
});
/** Secrets are shown once, at creation: the server keeps only their hashes. */
const createdSchema = subSchema.extend({ subToken: z.string(), voipPwd: z.string() });

function subJson(sub: SubAccountInfo): z.infer<typeof subSchema> {
  return { subAccountSid: sub.subAccountSid, voipAccount: sub.voipAccount, friendlyName: sub.friendlyName, closed: sub.closed, dateCreated: sub.dateCreated };
}

/** Sub-accounts (an app's users): create, page, find by name, close, reopen. */
export function registerSubAccountRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/v1/accounts/:accountSid/apps/:appId/subaccounts';
  const tags = ['sub-accounts'];

  app.post(
    base,
    { schema: { tags, params: appParams, body: z.object({ friendlyName: z.string().min(1).max(64) }).strict(), response: { 201: createdSchema } } },
    async (request, reply) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const created = ctx.identity.createSubAccount(appId, request.body.friendlyName);
      return reply.code(201).send({ ...created, closed: false });
    },
  );

  app.get(
    base,
    {
      schema: {
        tags,
        params: appParams,
        querystring: z.object({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(ctx.tuning.maxRestPageItems).default(100),
          friendlyName: z.string().min(1).max(64).optional(),
        }),
        response: { 200: z.object({ total: z.number(), subAccounts: z.array(subSchema) }) },
      },
    },
    (request) => {
      const { appId } = ownApp(ctx, request.params.accountSid, request.params.appId);
      const { friendlyName, offset, limit } = request.query;
      if (friendlyName !== undefined) {
        const sub = ctx.identity.findByFriendlyName(appId, friendlyName);
        if (!sub) throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account named ${friendlyName}`);
        return { total: 1, subAccounts: [subJson(sub)] };
      }
      const page = ctx.identity.listSubAccountsPage(appId, offset, limit);
      return { total: page.total, subAccounts: page.items.map(subJson) };
    },
  );

  app.get(`${base}/:subAccountSid`, { schema: { tags, params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(ownSubAccount(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId)),
  );

  app.post(`${base}/:subAccountSid/close`, { schema: { tags, params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(closeSubAccount(ctx, ownSubAccount(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId))),
  );

  app.post(`${base}/:subAccountSid/reopen`, { schema: { tags, params: subParams, response: { 200: subSchema } } }, (request) => {
    const sub = ownSubAccount(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId);
    return subJson(ctx.identity.reopenSubAccount(sub.subAccountSid));
  });
}
