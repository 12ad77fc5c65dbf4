import { sql } from 'kysely';
import type { MigrationContext } from '../migration-helpers.ts';

/**
 * Console preferences per user (issue 16, item 8):
 * - `users.lang_chosen`: whether `users.lang` is the user's own choice. Until now `user add` wrote Italian for
 *   everyone, so a stored `it` says nothing; only a stored `en` can have been chosen (the switch in the top bar).
 *   An unchosen language gives way to the browser's (the login page's) language.
 * - `users.time_zone`: the zone the console prints this user's dates in; null = the CONSOLE_TIME_ZONE setting.
 * - `sessions.lang`: the language picked on the login page, which wins for that session.
 */
export async function up({ db }: MigrationContext): Promise<void> {
  await db.schema.alterTable('users').addColumn('lang_chosen', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('users').addColumn('time_zone', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('lang', 'text').execute();
  await sql`UPDATE users SET lang_chosen = 1 WHERE lang = 'en'`.execute(db);
}
