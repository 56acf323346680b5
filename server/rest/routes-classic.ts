import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, MagpieError } from '../../protocol';
import type { SubAccountInfo } from '../identity/identity';
import { CLASSIC_OK, sendClassic } from './classic-format';
import { closeSubAccount } from './app-operations';
import { ownApp, type RestContext } from './rest-context';
import { MANAGES, READS } from './route-kinds';

/** The classic paths' version segment, as existing integrations call them. */
export const CLASSIC_PREFIX = '/2013-12-26/Accounts/:accountSid';

const params = z.object({ accountSid: z.string() });
const appId = z.string().min(1).max(64);

/** yyyy-MM-dd HH:mm:ss, the classic API's date form (UTC here). */
function classicDate(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

function subJson(sub: SubAccountInfo): Record<string, string> {
  return { subAccountSid: sub.subAccountSid, friendlyName: sub.friendlyName, voipAccount: sub.voipAccount, dateCreated: classicDate(sub.dateCreated) };
}

/**
 * The classic sub-account API on the same rules as the native one (docs/rest.md "Classic paths").
 * Answers carry statusCode "000000" or an error code and statusMsg, and the field names of that
 * API. The app id comes in the body.
 */
export function registerClassicRoutes(root: FastifyInstance, ctx: RestContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['classic'];

  app.get(`${CLASSIC_PREFIX}/AccountInfo`, { config: READS, schema: { tags, params } }, (request, reply) => {
    const account = ctx.identity.getAccount(request.params.accountSid);
    if (!account) throw new MagpieError(ErrorCode.ACCOUNT_NOT_FOUND, 'no such account');
    const date = classicDate(account.dateCreated);
    return sendClassic(request, reply, 200, {
      statusCode: CLASSIC_OK,
      Account: { accountSid: account.accountSid, friendlyName: account.accountSid, type: '1', status: '1', dateCreated: date, dateUpdated: date },
    });
  });

  app.post(
    `${CLASSIC_PREFIX}/SubAccounts`,
    { config: MANAGES, schema: { tags, params, body: z.object({ appId, friendlyName: z.string() }) } },
    (request, reply) => {
      const { appId: id, friendlyName } = request.body;
      ownApp(ctx, request.params.accountSid, id);
      // a repeated friendlyName answers the existing sub-account; its secrets were shown once
      const existing = ctx.identity.findByFriendlyName(id, friendlyName);
      if (existing) return sendClassic(request, reply, 200, { statusCode: CLASSIC_OK, SubAccount: subJson(existing) });
      const created = ctx.identity.createSubAccount(id, friendlyName);
      return sendClassic(request, reply, 200, {
        statusCode: CLASSIC_OK,
        SubAccount: {
          subAccountSid: created.subAccountSid,
          subToken: created.subToken,
          voipAccount: created.voipAccount,
          voipPwd: created.voipPwd,
          dateCreated: classicDate(created.dateCreated),
        },
      });
    },
  );

  app.post(
    `${CLASSIC_PREFIX}/GetSubAccounts`,
    {
      config: READS,
      schema: {
        tags,
        params,
        body: z.object({
          appId,
          startNo: z.coerce.number().int().min(0).default(0),
          offset: z.coerce.number().int().min(1).max(ctx.tuning.maxRestPageItems).default(100),
        }),
      },
    },
    (request, reply) => {
      const { appId: id, startNo, offset } = request.body;
      ownApp(ctx, request.params.accountSid, id);
      // the classic API's names: startNo is where the page starts, offset how many it holds
      const page = ctx.identity.listSubAccountsPage(id, startNo, offset);
      return sendClassic(request, reply, 200, { statusCode: CLASSIC_OK, totalCount: String(page.total), SubAccount: page.items.map(subJson) });
    },
  );

  app.post(
    `${CLASSIC_PREFIX}/QuerySubAccountByName`,
    { config: READS, schema: { tags, params, body: z.object({ appId, friendlyName: z.string().min(1).max(64) }) } },
    (request, reply) => {
      const { appId: id, friendlyName } = request.body;
      ownApp(ctx, request.params.accountSid, id);
      const sub = ctx.identity.findByFriendlyName(id, friendlyName);
      if (!sub) throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account named ${friendlyName}`);
      return sendClassic(request, reply, 200, { statusCode: CLASSIC_OK, SubAccount: subJson(sub) });
    },
  );

  app.post(
    `${CLASSIC_PREFIX}/CloseSubAccount`,
    { config: MANAGES, schema: { tags, params, body: z.object({ appId: appId.optional(), subAccountSid: z.string().min(1).max(64) }) } },
    (request, reply) => {
      closeSubAccount(ctx, request.params.accountSid, request.body.subAccountSid, request.body.appId);
      return sendClassic(request, reply, 200, { statusCode: CLASSIC_OK });
    },
  );
}
