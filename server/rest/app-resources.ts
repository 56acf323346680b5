import { z } from 'zod';
import type { AppInfo, SubAccountCreated, SubAccountInfo, SubAccountSecrets } from '../identity/identity';

/**
 * The JSON of apps and sub-accounts, one definition for the REST API (docs/rest.md) and the
 * developer console's API (docs/console.md): both answer the same shapes.
 */

/** Names of apps and sub-accounts. */
export const NAME_MAX = 64;
export const nameSchema = z.string().min(1).max(NAME_MAX);
/**
 * A name to create or rename with: the identity service drops its surrounding white space and
 * checks its length (1-64 characters, an emoji one) and content, so every path stores the same
 * name and every bad name answers the same INVALID_USER_ID.
 */
export const newNameSchema = z.string();

export const appStateSchema = z.enum(['online', 'offline']);
export const appSchema = z.object({
  appId: z.string(),
  name: z.string(),
  appToken: z.string(),
  state: appStateSchema,
  dateCreated: z.string(),
});
export type AppJson = z.infer<typeof appSchema>;
export const appListSchema = z.object({ apps: z.array(appSchema) });

/** A rename and/or a change of state, with the API's own name rule. */
export function appChangeSchema(name: z.ZodType<string>) {
  return z.object({ name: name.optional(), state: appStateSchema.optional() }).strict();
}
export type AppChange = { readonly name?: string | undefined; readonly state?: AppJson['state'] | undefined };

export const deletedSchema = z.object({ deleted: z.literal(true) });

export const pushSchema = z.object({ url: z.string().nullable(), secret: z.string().nullable(), hideContent: z.boolean() });
export const pushChangeSchema = z
  .object({ url: z.string().max(2048).nullable().optional(), hideContent: z.boolean().optional(), rotateSecret: z.boolean().optional() })
  .strict();

export const subSchema = z.object({
  subAccountSid: z.string(),
  voipAccount: z.string(),
  friendlyName: z.string(),
  closed: z.boolean(),
  dateCreated: z.string(),
});
export type SubJson = z.infer<typeof subSchema>;
/** Secrets are shown once, at creation (and after a reset): the server keeps only their hashes. */
export const createdSubSchema = subSchema.extend({ subToken: z.string(), voipPwd: z.string() });
export const subPageSchema = z.object({ total: z.number(), subAccounts: z.array(subSchema) });
export type SubPage = z.infer<typeof subPageSchema>;

/** A page of sub-accounts (`offset`, `limit`) or the one named `friendlyName`; the APIs differ only in the page's default size. */
export function subPageQuerySchema(maxLimit: number, defaultLimit: number) {
  return z.object({
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    friendlyName: nameSchema.optional(),
  });
}

export function appJson(app: AppInfo): AppJson {
  return { appId: app.appId, name: app.name, appToken: app.appToken, state: app.state, dateCreated: app.dateCreated };
}

export function subJson(sub: SubAccountInfo): SubJson {
  return { subAccountSid: sub.subAccountSid, voipAccount: sub.voipAccount, friendlyName: sub.friendlyName, closed: sub.closed, dateCreated: sub.dateCreated };
}

export function subPageJson(page: { total: number; items: readonly SubAccountInfo[] }): SubPage {
  return { total: page.total, subAccounts: page.items.map(subJson) };
}

export function createdSubJson(created: SubAccountCreated): z.infer<typeof createdSubSchema> {
  return { ...subJson({ ...created, closed: false }), subToken: created.subToken, voipPwd: created.voipPwd };
}

export function subSecretsJson(sub: SubAccountSecrets): z.infer<typeof createdSubSchema> {
  return { ...subJson(sub), subToken: sub.subToken, voipPwd: sub.voipPwd };
}
