import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, MagpieError } from '../../protocol';
import { closeSubAccount, createSubAccount, reopenSubAccount, resetSubAccountSecrets, subAccountPage } from './app-operations';
import { createdSubJson, createdSubSchema, newNameSchema, subJson, subPageJson, subPageQuerySchema, subPageSchema, subSchema, subSecretsJson } from './app-resources';
import { ownSubAccount, type RestContext } from './rest-context';
import { MANAGES, READS } from './route-kinds';

const appParams = z.object({ accountSid: z.string(), appId: z.string() });
const subParams = appParams.extend({ subAccountSid: z.string() });

/** Sub-accounts (an app's users): create, page, find by name, close, reopen, new secrets. */
export function registerSubAccountRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/v1/accounts/:accountSid/apps/:appId/subaccounts';
  const tags = ['sub-accounts'];

  app.post(
    base,
    { config: MANAGES, schema: { tags, params: appParams, body: z.object({ friendlyName: newNameSchema }).strict(), response: { 201: createdSubSchema } } },
    async (request, reply) =>
      reply.code(201).send(createdSubJson(createSubAccount(ctx, request.params.accountSid, request.params.appId, request.body.friendlyName))),
  );

  app.get(
    base,
    { config: READS, schema: { tags, params: appParams, querystring: subPageQuerySchema(ctx.tuning.maxRestPageItems, 100), response: { 200: subPageSchema } } },
    (request) => {
      const page = subAccountPage(ctx, request.params.accountSid, request.params.appId, request.query);
      // here a search that finds nobody is an error, as in the classic API
      const { friendlyName } = request.query;
      if (friendlyName !== undefined && page.total === 0) throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account named ${friendlyName}`);
      return subPageJson(page);
    },
  );

  app.get(`${base}/:subAccountSid`, { config: READS, schema: { tags, params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(ownSubAccount(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId)),
  );

  app.post(`${base}/:subAccountSid/close`, { config: MANAGES, schema: { tags, params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(closeSubAccount(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId)),
  );

  app.post(`${base}/:subAccountSid/reopen`, { config: MANAGES, schema: { tags, params: subParams, response: { 200: subSchema } } }, (request) =>
    subJson(reopenSubAccount(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId)),
  );

  app.post(`${base}/:subAccountSid/secrets`, { config: MANAGES, schema: { tags, params: subParams, response: { 200: createdSubSchema } } }, (request) =>
    subSecretsJson(resetSubAccountSecrets(ctx, request.params.accountSid, request.params.subAccountSid, request.params.appId)),
  );
}
