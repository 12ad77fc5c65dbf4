/**
 * The emulator's state file: a restarted emulator (the demo's Ctrl-C and `demo` again) finds the same database —
 * records, custom x_ fields, ids and sequences, credentials — and a file of another version is refused.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { kw } from './helpers/odoo-emulator-client.ts';

let emu: OdooEmulator | null = null;
let dir = '';
afterEach(async () => {
  await emu?.stop();
  emu = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the emulator state file', () => {
  it('a restart loads the saved database: records, custom fields, next ids and sequences, the API key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu-state-'));
    const stateFile = join(dir, 'odoo.json');
    const clock = new ManualClock('2026-12-24T08:00:00Z');
    emu = await startOdooEmulator({ version: 18, clock, stateFile, saveEveryMs: 0 });
    expect(emu.restored).toBe(false);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    const [model] = await kw<{ id: number }[]>(emu, 'ir.model', 'search_read', [[['model', '=', 'product.product']]], { fields: ['id'] });
    await kw(emu, 'ir.model.fields', 'create', [{ name: 'x_poleepo_ref', field_description: 'Poleepo ref', model_id: model.id, ttype: 'char' }]);
    const product = await kw<number>(emu, 'product.product', 'create', [{ name: 'Kept across restarts', default_code: 'KEEP-1', x_poleepo_ref: 'P-77' }]);
    const first = await kw<number>(emu, 'sale.order', 'create', [{ partner_id: 9, order_line: [[0, 0, { product_id: product, product_uom_qty: 2 }]] }]);
    const [{ name: firstName }] = await kw<{ name: string }[]>(emu, 'sale.order', 'read', [[first]], { fields: ['name'] });
    const apiKey = emu.apiKey;
    await emu.stop();

    emu = await startOdooEmulator({ version: 18, clock, stateFile, saveEveryMs: 0 });
    expect(emu.restored).toBe(true);
    expect(emu.apiKey).toBe(apiKey);
    // The API key authenticates over HTTP; the custom field is a real field again; the record is there.
    expect(await kw(emu, 'product.product', 'read', [[product]], { fields: ['default_code', 'x_poleepo_ref'] })).toEqual([{ id: product, default_code: 'KEEP-1', x_poleepo_ref: 'P-77' }]);
    expect(await kw(emu, 'product.product', 'fields_get', [['x_poleepo_ref']], { attributes: ['type', 'manual'] })).toEqual({ x_poleepo_ref: { type: 'char', manual: true } });
    // New records follow the old ones: no id and no order name is given twice.
    const second = await kw<number>(emu, 'sale.order', 'create', [{ partner_id: 9, order_line: [[0, 0, { product_id: product, product_uom_qty: 1 }]] }]);
    expect(second).toBeGreaterThan(first);
    const [{ name: secondName }] = await kw<{ name: string }[]>(emu, 'sale.order', 'read', [[second]], { fields: ['name'] });
    expect(secondName).not.toBe(firstName);
    expect(Number(secondName.replace(/\D/g, ''))).toBe(Number(firstName.replace(/\D/g, '')) + 1);
    // Views still combine (get_views was registered again).
    const views = await kw<{ views: Record<string, unknown> }>(emu, 'product.product', 'get_views', [[[false, 'form']]], {});
    expect(Object.keys(views.views)).toEqual(['form']);
    await emu.stop();
    emu = null;
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ format: 1, version: 18 });

    await expect(startOdooEmulator({ version: 17, stateFile })).rejects.toThrow(/holds an Odoo 18 database, not Odoo 17/);
  });
});
