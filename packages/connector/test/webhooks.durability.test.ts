import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startService, type RunningService } from '../src/app/service.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { signPoleepoBody } from '../src/poleepo/poleepo.signature.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';

/**
 * DESIGN §4.5: nothing is acknowledged before it is durable — also when requests share a group commit and that commit
 * fails. One delivery among many arriving together is poisoned: on SQLite its insert aborts (a trigger), on
 * PostgreSQL the COMMIT itself fails (a deferred constraint trigger, checked only at commit). Every 200 must name a
 * message that another connection already reads, with its processing task; the poisoned delivery gets no 200 and
 * leaves nothing behind; its neighbours in the failed batch are written again and acknowledged.
 */
const SECRET = 'poleepo-generated-secret-key';
const POISON = '666666';

describe.each(dialects)('webhook acknowledgements are durable on %s', (dialect) => {
  let service: RunningService | undefined;
  let db: TestDb | undefined;
  let observer: Db | undefined;
  afterEach(async () => {
    await service?.stop({ drainMs: 500 });
    await observer?.close();
    await db?.cleanup();
    service = db = observer = undefined;
  });

  async function poison(target: TestDb): Promise<void> {
    if (dialect === 'sqlite') {
      await sql.raw(`CREATE TRIGGER poison_intake BEFORE INSERT ON webhook_messages WHEN NEW.resource_id = '${POISON}'
        BEGIN SELECT RAISE(ABORT, 'storage fault (test)'); END`).execute(target.kysely);
      return;
    }
    await sql.raw(`CREATE FUNCTION poison_intake() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.resource_id = '${POISON}' THEN RAISE EXCEPTION 'commit fault (test)'; END IF; RETURN NULL; END $$`).execute(target.kysely);
    await sql.raw(`CREATE CONSTRAINT TRIGGER poison_intake AFTER INSERT ON webhook_messages
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION poison_intake()`).execute(target.kysely);
  }

  it('answers 200 only for messages another connection already reads, and never for one whose commit failed', { timeout: 60_000 }, async () => {
    db = await createTestDb(dialect);
    await poison(db);
    service = await startService(testConfig(), 'all', { port: 0, db });
    // Workers would process (and could delete nothing, but change) what arrives; the assertions only read rows.
    const connectionId = await insertTestConnection(db);
    const { url } = await new WebhooksService(db, service.ctx.clock, service.ctx.secrets, 'https://connector.example.com')
      .add({ connectionId, name: 'poleepo-main', secret: SECRET, events: ['STATUS_SHIPMENT'] });
    const hook = new URL(url);
    const target = `${service.url}${hook.pathname}${hook.search}`;
    observer = await openDatabase(db.url, { schema: db.schema });

    const seenOnAck: { resource: string; status: number; stored: boolean; task: boolean }[] = [];
    const deliver = async (resource: string) => {
      const body = JSON.stringify({ event: 'STATUS_SHIPMENT', event_id: `evt_${resource}`, data: { shipping_id: resource, status: 'IN_TRANSIT' } });
      const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', 'x-poleepo-signature': `sha256=${signPoleepoBody(body, SECRET)}` }, body });
      const text = await res.text();
      const answer = (res.status === 200 ? JSON.parse(text) : {}) as { id?: number };
      // Checked the moment the answer arrives, from another connection: what was acknowledged is committed.
      const stored = answer.id === undefined ? undefined : await observer!.kysely.selectFrom('webhook_messages').select(['id', 'resource_id']).where('id', '=', answer.id).executeTakeFirst();
      const task = answer.id === undefined ? undefined : await observer!.kysely.selectFrom('tasks').select('id').where('dedupe_key', '=', `webhook-message:${answer.id}`).executeTakeFirst();
      seenOnAck.push({ resource, status: res.status, stored: stored?.resource_id === resource, task: task !== undefined });
    };
    // Together, so they share group commits; the poisoned one in the middle.
    const resources = Array.from({ length: 40 }, (_, i) => (i === 20 ? POISON : String(1000 + i)));
    await Promise.all(resources.map(deliver));

    const poisoned = seenOnAck.find((s) => s.resource === POISON)!;
    expect(poisoned.status).toBe(500);
    const acknowledged = seenOnAck.filter((s) => s.resource !== POISON);
    expect(acknowledged.map((s) => s.status)).toEqual(acknowledged.map(() => 200));
    expect(acknowledged.filter((s) => !s.stored || !s.task)).toEqual([]);
    const leftovers = await observer.kysely.selectFrom('webhook_messages').select('id').where('resource_id', '=', POISON).execute();
    expect(leftovers).toEqual([]);
    expect(Number((await observer.kysely.selectFrom('webhook_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(39);

    // The intake is still healthy: a redelivery of a good one is a duplicate, a new one is stored.
    await deliver('2000');
    expect(seenOnAck.at(-1)).toEqual({ resource: '2000', status: 200, stored: true, task: true });
  });
});
