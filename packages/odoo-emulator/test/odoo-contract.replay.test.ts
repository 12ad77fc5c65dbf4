/**
 * Contract of the Odoo emulator: the recordings of real Odoo 17.0, 18.0 and 19.0 (`recordings/odoo17|18|19/`) are
 * replayed against it, in the order they were recorded, and every answer is compared with the recorded one: HTTP
 * status, content type, envelope and member order, id echo, results, errors (name, message, arguments, context,
 * last traceback line). See test/helpers/odoo-replay.ts for what "the same" means (created ids through a learnt
 * map, timestamps of the recording day as wildcards, tracebacks by their last line).
 *
 * Not replayed: the server-action flow (h: replayed by odoo-emulator.views.replay.test.ts) and z_cleanup. The exchanges below are relaxed, each for the reason given. "shape" = same keys and value types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { Replayer, recordingExists, type Rule } from './helpers/odoo-replay.ts';

const FILES = [
  'common.json', 'reads/products.json', 'reads/partners_users_company.json', 'reads/stock_delivery.json', 'reads/taxes.json',
  'reads/search_patterns.json', 'reads/renames_19.json', 'flows/a_partner_create.json', 'flows/b_sale_order.json',
  'flows/c_delivery_pack_validate.json', 'flows/d_invoice.json', 'flows/e_attachment_chatter.json', 'flows/f_tax_compute_all.json', 'flows/g_custom_field_and_view.json',
  'flows/i_cancel_order.json', 'flows/j_product_types.json', 'errors.json', 'jsonrpc_legacy.json',
];

const WHOLE_DEMO = 'counts or aggregates over the whole demo database; the seed holds only the records the recordings show';
const UNSEEN = 'depends on demo records no answer showed (their names and values are unknown), so the seed lacks them';
const IMAGES = 'product images are not in the seed (the recordings cut them to 200 characters)';
const VIEWS = 'ir.ui.view arrives with provisioning (issue: views, server actions, automations)';
const IMPLIED_GROUPS = 'implied groups of res.groups are not modelled: a user holds the groups it was given';

const RULES: Rule[] = [
  // Counts and aggregates of the full demo database.
  { match: 'object.execute (legacy positional form', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'object.execute_kw with args only', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'search_count product.product (active only)', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'search_count product.product with active_test=false', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'product.category search_read (complete_name', mode: 'shape', reason: `product_count: ${WHOLE_DEMO}` },
  { match: 'product.template search_count type = product', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'product.template search_count detailed_type = product', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'product.template read_group by type', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'stock.quant formatted_read_group without groupby', mode: 'shape', reason: WHOLE_DEMO },
  { match: "account.tax search_count of every company's taxes", mode: 'shape', reason: WHOLE_DEMO },
  { match: 'account.tax search_count after unlink', mode: 'shape', reason: `${WHOLE_DEMO} (19 has 50 taxes across its companies)`, versions: [19] },
  { match: 'JSON-2 "context" as a list', mode: 'shape', reason: WHOLE_DEMO },
  { match: 'execute_kw with the account password instead of a key', mode: 'shape', reason: WHOLE_DEMO },
  // Records of the demo database no answer revealed.
  { match: 'res.partner search_read companies that have contacts', mode: 'shape', reason: `${UNSEEN} (Wood Corner's contacts)` },
  { match: 'product.product search_read consumable and service products', mode: 'shape', reason: UNSEEN },
  { match: 'search product.product order "write_date asc, id asc" limit 5 offset 5', mode: 'shape', reason: UNSEEN },
  { match: 'search_read write_date > "2000-01-01 00:00:00"', mode: 'shape', reason: UNSEEN },
  { match: 'search_read write_date > an ISO string with T and Z', mode: 'shape', reason: UNSEEN, versions: [17, 18] },
  { match: 'search_count write_date >= "2026-11-27', mode: 'shape', reason: `${UNSEEN} (the product the recorder wrote just before)`, versions: [17, 18] },
  { match: 'search_read with domain operators: |, ilike, in, != false', mode: 'shape', reason: UNSEEN, versions: [19] },
  { match: 'ir.model.fields search_read: which modules define', mode: 'shape', reason: 'ir.model.fields.modules names the addons defining each field; addons are not modelled' },
  // Images.
  { match: 'image_1920 with context bin_size=true', mode: 'shape', reason: IMAGES },
  { match: 'without bin_size (image_1920 is base64', mode: 'shape', reason: IMAGES },
  { match: 'read with context bin_size=true: image fields become size strings', mode: 'shape', reason: IMAGES },
  // Groups.
  { match: 'res.users read groups of portal_test', mode: 'shape', reason: IMPLIED_GROUPS },
  { match: 'res.users read group_ids (19 name)', mode: 'shape', reason: IMPLIED_GROUPS },
  // Views (provisioning).
  { match: 'ir.ui.view create an extension', mode: 'skip', reason: VIEWS },
  { match: 'ir.ui.view read back', mode: 'skip', reason: VIEWS },
  { match: 'ir.ui.view create with an xpath that matches nothing', mode: 'skip', reason: VIEWS },
  { match: 'ir.model.fields unlink while the view uses the field', mode: 'skip', reason: VIEWS },
  { match: 'ir.ui.view unlink', mode: 'skip', reason: VIEWS },
  { match: 'ir.ui.view search_read', mode: 'skip', reason: VIEWS },
  { match: 'ir.actions.server fields group_ids', mode: 'skip', reason: VIEWS },
  // 19 renames probes that read what other flows created.
  { match: 'sale.order.line search_read with the 19 names', mode: 'shape', reason: 'reads the order lines the recorded database had from earlier runs' },
  { match: 'sale.order.line search_count on tax_ids in a domain', mode: 'shape', reason: 'counts the order lines the recorded database had from earlier runs' },
  { match: 'sale.order stock_reference_ids', mode: 'shape', reason: 'stock.reference (19 procurement references) is not modelled: the field reads []' },
  { match: 'stock.picking packages_count', mode: 'shape', reason: `${UNSEEN} (the first picking of the demo database, WH/OUT/00006)` },
  { match: 'stock.move product_uom (NOT renamed', mode: 'shape', reason: `${UNSEEN} (the first move of the demo database, 16 units; the seed's move 1 is the pending delivery that reproduces the recorded stock figures)` },
  { match: 'sale.order read state/date_order after action_confirm', mode: 'shape', reason: 'stock_reference_ids: stock.reference is not modelled', versions: [19] },
  // Legacy transport extras of 19.
  { match: 'POST /xmlrpc/2/common version', mode: 'skip', reason: 'XML-RPC is not served (the connector does not use it)' },
];

/**
 * The emulator runs on the day the recordings were made (its clock moves with real time from 2026-11-27 10:00 UTC):
 * what depends on the date, such as the invoice numbers' year (INV/2026/00005), is then what the recording shows.
 */
function onRecordingDay(): Clock {
  const start = Date.UTC(2026, 10, 27, 10, 0, 0);
  const t0 = Date.now();
  return { now: () => start + (Date.now() - t0), sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

for (const version of [17, 18, 19] as const) {
  describe(`Odoo ${version} recordings replayed against the emulator`, () => {
    let emu: OdooEmulator;
    let replayer: Replayer;
    const files = Replayer.ordered(FILES.filter((f) => recordingExists(version, f)));

    beforeAll(async () => {
      emu = await startOdooEmulator({ version, apiKey: 'contract-test-key-0123456789abcdef01234567', clock: onRecordingDay() });
      replayer = new Replayer(emu, RULES);
    });
    afterAll(async () => {
      await emu.stop();
    });

    for (const file of files) {
      it(`answers ${file} as recorded`, async () => {
        const outcomes = await replayer.replayFile(file);
        const failures = outcomes.filter((o) => o.problems.length).map((o) => `${o.file}#${o.index} ${o.title}\n    ${o.problems.join('\n    ')}`);
        expect(outcomes.length).toBeGreaterThan(0);
        expect(failures).toEqual([]);
        // At least the exchanges not relaxed were compared exactly.
        expect(outcomes.filter((o) => o.mode === 'exact').length).toBeGreaterThan(0);
      });
    }
  });
}
