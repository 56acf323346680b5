import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { closeSubAccount, createSubAccount, reopenSubAccount, resetSubAccountSecrets, subAccountPage } from '../rest/app-operations';
import { createdSubJson, createdSubSchema, subJson, subPageJson, subPageQuerySchema, subPageSchema, subSchema, subSecretsJson, newNameSchema } from '../rest/app-resources';
import type { ConsoleContext } from './console-context';

const appParams = z.object({ appId: z.string().min(1).max(64) });
const subParams = appParams.extend({ subAccountSid: z.string().min(1).max(64) });

/** An app's sub-accounts: a page, a search by name, create (secrets shown once), close, reopen, new secrets (shown once). */
export function registerConsoleSubAccountRoutes(root: FastifyInstance, ctx: ConsoleContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rest } = ctx;
  const base = '/console/api/apps/:appId/subaccounts';
  const accountOf = (request: FastifyRequest) => ctx.guard.accountOf(request);

  // a search that finds nothing is an empty page here, not an error: the page shows "no match",
  // a name longer than any name can be included (a 400 would show the schema's words)
  const query = subPageQuerySchema(rest.tuning.maxRestPageItems, 20).extend({ friendlyName: z.string().optional() });
  app.get(base, { schema: { params: appParams, querystring: query, response: { 200: subPageSchema } } }, (request) => {
    const page = subAccountPage(rest, accountOf(request), request.params.appId, request.query);
    return subPageJson(page);
  });

  app.post(
    base,
    { schema: { params: appParams, body: z.object({ friendlyName: newNameSchema }).strict(), response: { 201: createdSubSchema } } },
    async (request, reply) => reply.code(201).send(createdSubJson(createSubAccount(rest, accountOf(request), request.params.appId, request.body.friendlyName))),
  );

  app.post(`${base}/:subAccountSid/close`, { schema: { params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(closeSubAccount(rest, accountOf(request), request.params.subAccountSid, request.params.appId)),
  );

  app.post(`${base}/:subAccountSid/reopen`, { schema: { params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(reopenSubAccount(rest, accountOf(request), request.params.subAccountSid, request.params.appId)),
  );

  app.post(`${base}/:subAccountSid/secrets`, { schema: { params: subParams, response: { 200: createdSubSchema } } }, (request) =>
    subSecretsJson(resetSubAccountSecrets(rest, accountOf(request), request.params.subAccountSid, request.params.appId)),
  );
}
