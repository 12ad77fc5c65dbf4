/**
 * `poleepo-odoo odoo check` and `odoo provision [--remove]` as a person runs them, in-process against the Odoo
 * emulator: plain verdicts and exit codes (check fails until Odoo is provisioned), what was created, a second run
 * that creates nothing, --json output, and --remove.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

let emu: OdooEmulator | undefined;
let dir: string | undefined;
afterEach(async () => {
  await emu?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  emu = undefined;
  dir = undefined;
});

for (const version of [17, 19] as const) {
  describe(`odoo commands against Odoo ${version}`, () => {
    it('check fails until provisioned; provision creates, then creates nothing; --remove takes it away', async () => {
      emu = await startOdooEmulator({ version });
      dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-prov-cli-'));
      const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PUBLIC_URL: 'https://connector.example.com' };
      const added = await cli(['connection', 'add', 'shop', '--odoo-url', emu.url, '--odoo-db', emu.db, '--odoo-login', emu.login, '--odoo-api-key-stdin', '--company-id', '1'], env, `${emu.apiKey}\n`);
      expect(added.code, added.stderr).toBe(0);

      const before = await cli(['odoo', 'check'], env);
      expect(before.code).toBe(1);
      expect(before.stdout).toContain('[ok]   provisioning rights: The API user may create fields');
      expect(before.stdout).toContain('[MISSING]   field product.product.x_poleepo_published');
      expect(before.stdout).toMatch(/\[FAIL\] provisioned: missing: group "Poleepo Administrator", field product.product.x_poleepo_published, .* — run "odoo provision"/);
      expect(before.stderr).toContain('odoo check "shop": 1 check failed');

      const first = await cli(['odoo', 'provision', '--connection', 'shop'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`Provisioning Odoo ${version}.0`);
      expect(first.stdout).toMatch(/\[created\] {3}field sale\.order\.x_poleepo_order_id \(id \d+\)/);
      expect(first.stdout).toMatch(/\[created\] {3}server action "Spedisci con Poleepo" \(id \d+\)/);
      expect(first.stdout).toMatch(/\[created\] {3}automation rule "Poleepo \(shop\): variant changed" \(id \d+\) — created disabled/);
      expect(first.stdout).toContain('Done: 34 created, 0 updated, 0 unchanged.');
      expect(first.stdout).toContain('Note: The automation rules were created disabled');

      const second = await cli(['odoo', 'provision', '--json'], env);
      expect(second.code).toBe(0);
      const report = JSON.parse(second.stdout);
      expect(report.counts).toMatchObject({ created: 0, updated: 0, unchanged: 34 });
      expect(report.odoo).toMatchObject({ version: emu.version === 17 ? '17.0-20240709' : '19.0', transport: version === 19 ? 'json2' : 'jsonrpc' });

      const after = await cli(['odoo', 'check', '--json'], env);
      expect(after.code, after.stdout).toBe(0);
      const checked = JSON.parse(after.stdout);
      expect(checked).toMatchObject({ connection: 'shop', ok: true, complete: true });
      expect(checked.items).toHaveLength(34);
      const text = await cli(['odoo', 'check'], env);
      expect(text.stdout).toContain('Everything the connector needs in Odoo is in place.');

      const removed = await cli(['odoo', 'provision', '--remove'], env);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain('Done: 34 removed.');
      expect((await cli(['odoo', 'check'], env)).code).toBe(1);
    });
  });
}

describe('odoo commands refuse plainly', () => {
  it('without a connection, and with an unknown one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-prov-cli-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    const none = await cli(['odoo', 'provision'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no connection (exists )?yet/i);
    const unknown = await cli(['odoo', 'check', '--connection', 'nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No connection named "nope"');
  });
});
