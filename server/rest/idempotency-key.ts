import { z } from 'zod';

/** What an app server's own ids are written in (a UUID, an order number, `order-42:group`). */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The idempotencyKey of a REST create (a group, a broadcast, an app; the console's app create too): a retry with the same key makes
 * nothing new. docs/rest.md "Retries" documents these limits.
 */
export const idempotencyKeySchema = z.string().regex(IDEMPOTENCY_KEY, 'must be 1-128 characters: ASCII letters, digits, ., _, : and -');
