import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { checkPoleepo } from '../src/poleepo/poleepo.check.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { SandboxPermissions } from '@poleepo-odoo/poleepo-sandbox';
import { buildClient } from './fixtures/poleepo-kit.ts';

describe('checkPoleepo (the Poleepo side of `connection test`)', () => {
  let sandbox: PoleepoSandbox;
  const clock = new ManualClock(Date.UTC(2026, 2, 2), true);
  afterEach(async () => {
    await sandbox.stop();
  });

  async function check(permissions: SandboxPermissions, secret?: string) {
    sandbox = await startPoleepoSandbox({ clock, clients: [{ clientId: 'poleepo_k', clientSecret: 'plpscrt_k', permissions }] });
    const { client } = buildClient({ baseUrl: sandbox.url, key: { clientId: 'poleepo_k', clientSecret: secret ?? 'plpscrt_k' }, clock });
    return checkPoleepo(client);
  }

  it('passes a key with write access everywhere, and changes nothing on Poleepo', async () => {
    const result = await check({ orders: 'write', products: 'write', shipping: 'write' });
    expect(result).toMatchObject({ ok: true, tokenObtained: true, permissions: { orders: 'write', products: 'write', shipping: 'write' } });
    expect(result.verdict).toBe('Poleepo is reachable and the API key has write access to orders, products and shipping.');
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([['token', true], ['permission:orders', true], ['permission:products', true], ['permission:shipping', true]]);
    expect(sandbox.state.orders.orders.size + sandbox.state.shippings.shippings.size + sandbox.state.catalog.products.size).toBe(0);
  });

  it('tells which permission is missing, in plain words', async () => {
    const result = await check({ orders: 'read', products: 'none', shipping: 'write' });
    expect(result.ok).toBe(false);
    expect(result.permissions).toEqual({ orders: 'read', products: 'none', shipping: 'write' });
    expect(result.verdict).toBe(
      'The Poleepo API key is missing what the connector needs: write access to orders (to read orders and send their status and invoices back; it has read); '
      + 'write access to products (to send product batches; it has no access). Change the key\'s permissions in Poleepo under Configurations > API.',
    );
    expect(result.checks.find((c) => c.name === 'permission:products')!.detail).toBe('the key has no access to products (the connector needs write access to send product batches)');
  });

  it('reports refused credentials without probing further', async () => {
    const result = await check({ orders: 'write', products: 'write', shipping: 'write' }, 'plpscrt_wrong');
    expect(result).toMatchObject({ ok: false, tokenObtained: false, permissions: { orders: 'unknown', products: 'unknown', shipping: 'unknown' } });
    expect(result.verdict).toMatch(/refused the client id or client secret/);
    expect(sandbox.stats.endpoint('orders.list').requests).toBe(0);
  });
});
