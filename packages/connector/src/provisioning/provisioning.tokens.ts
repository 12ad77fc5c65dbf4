import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../app/context.ts';

/**
 * The secret token of a connection's Odoo notifications (`<PUBLIC_URL>/webhooks/odoo/<token>`, what the automation
 * rules post to). One per connection, made on first use, kept encrypted in `kv` (never in plaintext in the
 * database); the receiving route finds the connection back with `connectionForOdooWebhookToken`.
 */

const KEY_PREFIX = 'odoo_webhook_token:';

export async function odooWebhookToken(ctx: AppContext, connectionId: number): Promise<string> {
  const key = `${KEY_PREFIX}${connectionId}`;
  const row = await ctx.db.kysely.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
  if (row) return ctx.secrets.decrypt(row.value);
  const token = randomBytes(24).toString('base64url');
  await ctx.db.kysely.insertInto('kv').values({ key, value: ctx.secrets.encrypt(token), updated_at: ctx.clock.now() })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  // Another process may have made one first: the stored token wins.
  const stored = await ctx.db.kysely.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return ctx.secrets.decrypt(stored.value);
}

/** What odooWebhookToken makes: 24 random bytes, base64url. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/** The connection a token belongs to, compared in constant time; null when none (or when it cannot be a token). */
export async function connectionForOdooWebhookToken(ctx: AppContext, token: string): Promise<number | null> {
  // Nothing to decrypt for what is not even shaped like a token.
  if (!TOKEN_SHAPE.test(token)) return null;
  const rows = await ctx.db.kysely.selectFrom('kv').select(['key', 'value']).where('key', 'like', `${KEY_PREFIX}%`).execute();
  const given = Buffer.from(token);
  let found: number | null = null;
  for (const row of rows) {
    const stored = Buffer.from(ctx.secrets.decrypt(row.value));
    if (stored.length === given.length && timingSafeEqual(stored, given)) found = Number(row.key.slice(KEY_PREFIX.length));
  }
  return found;
}

export function odooWebhookUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/odoo/${token}`;
}
