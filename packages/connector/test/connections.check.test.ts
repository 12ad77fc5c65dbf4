import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { checkOdooSide } from '../src/connections/connections.odoo-check.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

/** `connection test`, Odoo side, against the emulator: the verdicts a person reads, and what is stored. */

const NOW = Date.parse('2026-11-30T09:00:00Z');

describe.each(dialects)('connection test (Odoo side) on %s', (dialect) => {
  let db: TestDb | undefined;
  let ctx: AppContext | undefined;
  let emulator: OdooEmulator | undefined;
  afterEach(async () => {
    await emulator?.stop();
    await ctx?.close();
    await db?.cleanup();
    emulator = undefined;
    ctx = undefined;
    db = undefined;
  });

  let clock: ManualClock;
  async function setup(version: 17 | 18 | 19, companyId: number | null, apiKey?: string) {
    // One clock for the connector and the emulator (which refuses expired keys by its own clock).
    clock = new ManualClock(NOW);
    emulator = await startOdooEmulator({ version, clock });
    db = await createTestDb(dialect);
    ctx = await createContext(testConfig(), { db, clock, logger: silentLogger });
    // The Odoo side only (the Poleepo side has its own tests).
    const service = new ConnectionsService(ctx, [checkOdooSide]);
    const created = await service.create({
      name: `odoo${version}`,
      odoo: { url: emulator.url, db: emulator.db, login: emulator.login, apiKey: apiKey ?? emulator.apiKey, companyId },
    });
    return { service, id: created.id };
  }

  function verdicts(report: { checks: { name: string; status: string }[] }): Record<string, string> {
    return Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  }

  it.each([17, 18, 19] as const)('good key and company on Odoo %s: every check passes, facts are stored', async (version) => {
    const { service, id } = await setup(version, 1);
    const report = await service.test(id);
    expect(report.ok, JSON.stringify(report.checks, null, 2)).toBe(true);
    expect(verdicts(report)).toEqual({ connection: 'ok', version: 'ok', company: 'ok', rights: 'ok', 'api key expiry': 'ok', fields: 'ok' });
    expect(report.checks.find((c) => c.name === 'connection')!.detail).toContain(version >= 19 ? 'JSON-2' : 'JSON-RPC');
    expect(report.checks.find((c) => c.name === 'company')!.detail).toContain('My Company (San Francisco)');
    const view = await service.get(id);
    expect(view.odoo).toMatchObject({ version: `${version}.0${version === 17 ? '-20240709' : ''}`, transport: version >= 19 ? 'json2' : 'jsonrpc', apiKeyExpiresAt: null });
    expect(view.lastTest).toMatchObject({ ok: true, at: NOW });
  });

  it('a wrong key: the connection check fails in plain words, the others are skipped', async () => {
    const { service, id } = await setup(18, 1, 'this-is-not-a-valid-api-key');
    const report = await service.test(id);
    expect(report.ok).toBe(false);
    expect(verdicts(report)).toMatchObject({ connection: 'fail', version: 'skipped', company: 'skipped', rights: 'skipped' });
    expect(report.checks[0].detail).toMatch(/Odoo refused login "admin" with this API key on database "sandbox".*New API Key/);
    expect(JSON.stringify(report)).not.toContain('this-is-not-a-valid-api-key');
    expect((await service.get(id)).lastTest).toMatchObject({ ok: false });
  });

  it('a company that does not exist, and one the API user is not allowed in', async () => {
    const { service, id } = await setup(18, 99);
    let report = await service.test(id);
    expect(verdicts(report).company).toBe('fail');
    expect(report.checks.find((c) => c.name === 'company')!.detail).toMatch(/Company id 99 does not exist/);

    const partner = emulator!.call('res.partner', 'create', [{ name: 'Poleepo Other Co', is_company: true }]) as number;
    const other = emulator!.call('res.company', 'create', [{ name: 'Poleepo Other Co', partner_id: partner }]) as number;
    await service.update(id, { odoo: { companyId: other } });
    report = await service.test(id);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'company')!.detail).toMatch(/"Poleepo Other Co" \(id \d+\) exists, but the API user is not allowed in it/);
  });

  it('no company set: a warning naming the user\'s current company', async () => {
    const { service, id } = await setup(19, null);
    const report = await service.test(id);
    expect(report.ok).toBe(true);
    expect(verdicts(report).company).toBe('warn');
    expect(report.checks.find((c) => c.name === 'company')!.detail).toMatch(/No company id is set.*"My Company \(San Francisco\)" \(id 1\)/);
  });

  it('an API key expiring soon (Odoo 18+) is a warning with the date; once expired, Odoo refuses it and the verdict says why', async () => {
    const { service, id } = await setup(18, 1);
    emulator!.state.model('res.users.apikeys').table.update(1, { expiration_date: '2026-12-05 00:00:00' });
    let report = await service.test(id);
    const expiry = report.checks.find((c) => c.name === 'api key expiry')!;
    expect(expiry).toMatchObject({ status: 'warn' });
    expect(expiry.detail).toMatch(/expires on 2026-12-05 \(in 4 days\)/);
    expect((await service.get(id)).odoo.apiKeyExpiresAt).toBe(Date.parse('2026-12-05T00:00:00Z'));

    clock.set(Date.parse('2026-12-06T08:00:00Z'));
    report = await service.test(id);
    expect(report.checks[0]).toMatchObject({ name: 'connection', status: 'fail' });
    expect(report.checks[0].detail).toMatch(/The API key expired on 2026-12-05\./);
  });

  it('a key expiring after the warning window is fine, with its date', async () => {
    const { service, id } = await setup(19, 1);
    emulator!.state.model('res.users.apikeys').table.update(1, { expiration_date: '2027-02-27 00:00:00' });
    expect((await service.test(id)).checks.find((c) => c.name === 'api key expiry')).toMatchObject({ status: 'ok', detail: 'The API key expires on 2027-02-27 (in 88 days)' });
  });

  it('an unreachable Odoo is a failure naming the address', async () => {
    const { service, id } = await setup(18, 1);
    await emulator!.stop();
    const url = emulator!.url;
    emulator = undefined;
    const report = await service.test(id);
    expect(report.checks[0]).toMatchObject({ name: 'connection', status: 'fail' });
    expect(report.checks[0].detail).toContain(`Could not reach Odoo at ${url}`);
  });
});

describe('connection test against a host that is not Odoo or Poleepo', () => {
  let ctx: AppContext | undefined;
  let host: TestServer | undefined;
  afterEach(async () => {
    await ctx?.close();
    await host?.close();
    ctx = host = undefined;
  });

  it('gives verdicts in its own words, never the text of the answer (an internal URL must not be readable through the test)', async () => {
    const MARKER = 'INTERNAL-ONLY-3c9a';
    host = await startTestServer((req, res) => {
      if (req.body.includes('"version"')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { server_version: `${MARKER} 18.0`, server_version_info: [18, 0, 0, 'final', 0, ''] } }));
      } else if (req.body.includes('authenticate')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 2, error: { code: 200, message: MARKER, data: { name: `${MARKER}.Error`, message: `${MARKER} message`, debug: MARKER } } }));
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<html><body>${MARKER}: metadata, keys, admin pages</body></html>`);
      }
    });
    ctx = await createContext(testConfig(), { clock: new ManualClock(NOW), logger: silentLogger, migrate: true });
    const service = new ConnectionsService(ctx);
    const created = await service.create({ name: 'probe', odoo: { url: host.url, db: 'd', login: 'l', apiKey: 'k' }, poleepo: { baseUrl: host.url, clientId: 'c', clientSecret: 's' } });
    const report = await service.test(created.id);
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).not.toContain(MARKER);
    expect(report.checks.find((c) => c.name === 'connection')).toMatchObject({ status: 'fail' });
    expect(report.checks.find((c) => c.name === 'token')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^Could not obtain a Poleepo access token: HTTP 200/) });
    // Nor does the API log keep the foreign host's answers: a status and a size, never the text.
    await ctx.apiLog.flush();
    const logged = await ctx.apiLogRepo.list({ limit: 100 });
    expect(logged.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(logged)).not.toContain(MARKER);
    for (const row of logged) {
      expect(row.status, row.path).toBe(200);
      expect(row.response_body, row.path).toMatch(/^\(\d+ bytes, not kept: connection test\)$/);
    }
  });
});
