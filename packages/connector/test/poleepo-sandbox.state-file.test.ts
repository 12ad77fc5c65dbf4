import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { buildClient, control } from './fixtures/poleepo-kit.ts';

/**
 * The sandbox's state file: a restarted sandbox (the demo's Ctrl-C and `demo` again) is the same Poleepo account —
 * the batches it was sent still answer, products, orders, shippings (with their label PDFs) and tokens are there,
 * and new ids follow the old ones.
 */
const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const running: PoleepoSandbox[] = [];
let dir = '';
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Poleepo sandbox: state file', () => {
  it('a restart keeps batches, products, orders, shippings and tokens; new ids follow the old ones', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const stateFile = join(dir, 'poleepo.json');
    const clock = new ManualClock(START, true);
    const key = { clientId: 'demo-client', clientSecret: 'secret-1' };
    const first = await startPoleepoSandbox({ clock, clients: [key], stateFile, saveEveryMs: 0, batchProcessingDelayMs: 1000 });
    running.push(first);
    expect(first.restored).toBe(false);
    const { client } = buildClient({ baseUrl: first.url, key, clock });
    const batch = await client.submitBatch([{ sku: 'KEEP-1', title: 'Kept', price: 10, quantity: 3 } as never]);
    clock.advance(2000);
    expect(await client.getBatch(batch.id)).toMatchObject({ status: 'COMPLETED' });
    const order = (await control(first, 'POST', '/__sandbox/orders', { lines: [{ sku: 'KEEP-1', quantity: 1, price: 10 }] })).body as { id: number };
    const shipping = await client.createShipping({ order_id: order.id, carrier_id: 4, package_type_id: 1, pickup_address_id: 1, parcels: [{ weight: 0.3 }] });
    const label = first.state.shippings.shippings.get(shipping.id)!.label;
    expect(label.length).toBeGreaterThan(100);
    const pending = await client.submitBatch([{ sku: 'KEEP-2', title: 'Later', price: 5, quantity: 1 } as never]);
    const oldToken = (await client.token()).token;
    await running.pop()!.stop();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    // Another run: the same account, a new secret for the same client id (the demo makes one per run).
    const second = await startPoleepoSandbox({ clock, clients: [{ ...key, clientSecret: 'secret-2' }], stateFile, saveEveryMs: 0, batchProcessingDelayMs: 1000 });
    running.push(second);
    expect(second.restored).toBe(true);
    const again = buildClient({ baseUrl: second.url, key: { ...key, clientSecret: 'secret-2' }, clock }).client;
    expect(await again.getBatch(batch.id)).toMatchObject({ id: batch.id, status: 'COMPLETED' });
    // A token issued before the restart is still good until it expires.
    const withOldToken = await fetch(`${second.url}/products/batch/${batch.id}`, { headers: { Authorization: `Bearer ${oldToken}` } });
    expect(withOldToken.status).toBe(200);
    // A batch sent before the stop is processed after the restart.
    clock.advance(2000);
    expect(await again.getBatch(pending.id)).toMatchObject({ status: 'COMPLETED' });
    expect(second.state.catalog.productBySku('KEEP-1')).toMatchObject({ sku: 'KEEP-1', price: 10 });
    expect(second.state.catalog.productBySku('KEEP-2')).toBeDefined();
    expect(await again.getOrder(order.id)).toMatchObject({ id: order.id });
    expect(second.state.shippings.shippings.get(shipping.id)!.label.equals(label)).toBe(true);
    const next = await again.submitBatch([{ sku: 'KEEP-3', title: 'New', price: 7, quantity: 1 } as never]);
    expect(Number(next.id)).toBeGreaterThan(Number(pending.id));
    const nextOrder = (await control(second, 'POST', '/__sandbox/orders', { lines: [{ sku: 'KEEP-1', quantity: 1, price: 10 }] })).body as { id: number };
    expect(nextOrder.id).toBeGreaterThan(order.id);
  });
});
