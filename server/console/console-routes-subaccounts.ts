import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SubAccountInfo } from '../identity/identity';
import { closeSubAccount, ownApp, ownSubAccount } from '../rest/rest-context';
import type { ConsoleContext } from './console-context';

const appParams = z.object({ appId: z.string().min(1).max(64) });
const subParams = appParams.extend({ subAccountSid: z.string().min(1).max(64) });
const subSchema = z.object({ subAccountSid: z.string(), voipAccount: z.string(), friendlyName: z.string(), closed: z.boolean(), dateCreated: z.string() });

function subJson(sub: SubAccountInfo): z.infer<typeof subSchema> {
  return { subAccountSid: sub.subAccountSid, voipAccount: sub.voipAccount, friendlyName: sub.friendlyName, closed: sub.closed, dateCreated: sub.dateCreated };
}

/** An app's sub-accounts: a page, a search by name, create (secrets shown once), close, reopen. */
export function registerConsoleSubAccountRoutes(root: FastifyInstance, ctx: ConsoleContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rest } = ctx;
  const base = '/console/api/apps/:appId/subaccounts';
  const accountOf = (request: Parameters<typeof ctx.guard.sessionOf>[0]) => ctx.guard.sessionOf(request).accountSid;

  app.get(
    base,
    {
      schema: {
        params: appParams,
        querystring: z.object({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(rest.tuning.maxRestPageItems).default(20),
          friendlyName: z.string().min(1).max(64).optional(),
        }),
        response: { 200: z.object({ total: z.number(), subAccounts: z.array(subSchema) }) },
      },
    },
    (request) => {
      const { appId } = ownApp(rest, accountOf(request), request.params.appId);
      const { friendlyName, offset, limit } = request.query;
      if (friendlyName !== undefined) {
        // a search that finds nothing is an empty page here, not an error: the page shows "no match"
        const sub = rest.identity.findByFriendlyName(appId, friendlyName);
        return { total: sub ? 1 : 0, subAccounts: sub ? [subJson(sub)] : [] };
      }
      const page = rest.identity.listSubAccountsPage(appId, offset, limit);
      return { total: page.total, subAccounts: page.items.map(subJson) };
    },
  );

  app.post(
    base,
    {
      schema: {
        params: appParams,
        body: z.object({ friendlyName: z.string().trim().min(1).max(64) }).strict(),
        response: { 201: subSchema.extend({ subToken: z.string(), voipPwd: z.string() }) },
      },
    },
    async (request, reply) => {
      const { appId } = ownApp(rest, accountOf(request), request.params.appId);
      const created = rest.identity.createSubAccount(appId, request.body.friendlyName);
      return reply.code(201).send({ ...created, closed: false });
    },
  );

  app.post(`${base}/:subAccountSid/close`, { schema: { params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(closeSubAccount(rest, ownSubAccount(rest, accountOf(request), request.params.subAccountSid, request.params.appId))),
  );

  app.post(`${base}/:subAccountSid/reopen`, { schema: { params: subParams, response: { 200: subSchema } } }, (request) => {
    const sub = ownSubAccount(rest, accountOf(request), request.params.subAccountSid, request.params.appId);
    return subJson(rest.identity.reopenSubAccount(sub.subAccountSid));
  });
}
