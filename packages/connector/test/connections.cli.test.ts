import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CliRuntime } from '../src/cli/runtime.ts';
import { runCli } from '../src/cli/main.ts';
import { openDatabase } from '../src/storage/db.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { startOdooEmulator } from '@poleepo-odoo/odoo-emulator';

const ODOO_KEY = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
const POLEEPO_SECRET = 'poleepo-secret-from-stdin';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const runtime = new CliRuntime({ DATABASE_URL: `sqlite:${join(dir!, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'silent' });
  const out = new Capture();
  const err = new Capture();
  runtime.stdout = out;
  runtime.stderr = err;
  if (stdin !== undefined) (runtime as unknown as { stdin: NodeJS.ReadableStream }).stdin = Readable.from([stdin]);
  const code = await runCli(args, runtime);
  return { code, stdout: out.text, stderr: err.text };
}

describe('connection CLI', () => {
  it('adds with secrets from stdin, lists without them, and removes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-conn-cli-'));
    const added = await run([
      'connection', 'add', 'shop', '--odoo-url', 'https://shop.example.com', '--odoo-db', 'shop', '--odoo-login', 'api',
      '--odoo-api-key-stdin', '--company-id', '3', '--poleepo-client-id', 'pc-7', '--poleepo-client-secret-stdin',
    ], `${ODOO_KEY}\n${POLEEPO_SECRET}\n`);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/Created connection "shop" \(id \d+\): Odoo https:\/\/shop.example.com database shop company 3, Poleepo client pc-7/);

    const listed = await run(['connection', 'list', '--json']);
    expect(listed.code).toBe(0);
    const views = JSON.parse(listed.stdout);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ name: 'shop', odoo: { companyId: 3, apiKeySet: true }, poleepo: { clientId: 'pc-7', clientSecretSet: true } });
    const table = await run(['connection', 'list']);
    for (const text of [listed.stdout, table.stdout, added.stdout]) {
      expect(text).not.toContain(ODOO_KEY);
      expect(text).not.toContain(POLEEPO_SECRET);
    }
    expect(table.stdout).toMatch(/^NAME\s+ACTIVE\s+ODOO/m);

    // Stored encrypted.
    const db = await openDatabase(`sqlite:${join(dir!, 'db.sqlite')}`);
    const raw = JSON.stringify(await db.kysely.selectFrom('connections').selectAll().execute());
    await db.close();
    expect(raw).not.toContain(ODOO_KEY);
    expect(raw).not.toContain(POLEEPO_SECRET);

    const removed = await run(['connection', 'remove', 'shop']);
    expect(removed.code).toBe(0);
    expect(JSON.parse((await run(['connection', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('still takes the key and secret as arguments, warning on stderr that they leak into shell history', async () => {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-conn-cli-'));
    const added = await run([
      'connection', 'add', 'shop', '--odoo-url', 'https://shop.example.com', '--odoo-db', 'shop', '--odoo-login', 'api',
      '--odoo-api-key', ODOO_KEY, '--poleepo-client-id', 'pc-7', '--poleepo-client-secret', POLEEPO_SECRET,
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('Warning: --odoo-api-key puts the secret in your shell history and the process list; pipe it to --odoo-api-key-stdin');
    expect(added.stderr).toContain('Warning: --poleepo-client-secret puts the secret in your shell history and the process list; pipe it to --poleepo-client-secret-stdin');
    expect(added.stderr + added.stdout).not.toContain(ODOO_KEY);
    expect(added.stderr + added.stdout).not.toContain(POLEEPO_SECRET);
    const help = await run(['connection', 'add', '--help']);
    expect(help.stdout).toMatch(/--odoo-api-key <key>\s+deprecated/);
    expect(help.stdout).toMatch(/--poleepo-client-secret <secret>\s+deprecated/);
  });

  it('refuses bad input with one line and exit code 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-conn-cli-'));
    const noKey = await run(['connection', 'add', 'shop', '--odoo-url', 'https://x.example.com', '--odoo-db', 'x', '--odoo-login', 'a']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/Odoo API key is required/);
    const emptyStdin = await run(['connection', 'add', 'shop', '--odoo-url', 'https://x.example.com', '--odoo-db', 'x', '--odoo-login', 'a', '--odoo-api-key-stdin'], '');
    expect(emptyStdin.code).toBe(1);
    expect(emptyStdin.stderr).toMatch(/held no key/);
    const badCompany = await run(['connection', 'add', 'shop', '--odoo-url', 'https://x.example.com', '--odoo-db', 'x', '--odoo-login', 'a', '--odoo-api-key', 'k', '--company-id', 'one']);
    expect(badCompany.code).toBe(1);
    expect(badCompany.stderr).toMatch(/--company-id must be a whole number/);
    const missing = await run(['connection', 'remove', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No connection named "nope"/);
    const none = await run(['connection', 'test']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no connection yet/i);
  });

  it('tests a connection: prints one verdict per check, JSON with --json, exit code 1 when a check fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-conn-cli-'));
    const odoo = await startOdooEmulator({ version: 19 });
    try {
      const add = (name: string, key: string) => run(['connection', 'add', name, '--odoo-url', odoo.url, '--odoo-db', odoo.db, '--odoo-login', odoo.login, '--odoo-api-key-stdin', '--company-id', '1'], `${key}\n`);
      expect((await add('good', odoo.apiKey)).code).toBe(0);
      expect((await add('bad', 'this-is-not-a-valid-api-key')).code).toBe(0);

      const good = await run(['connection', 'test', 'good']);
      expect(good.stdout).toMatch(/\[ok\]\s+odoo connection: Odoo at .* answers over JSON-2/);
      expect(good.stdout).toMatch(/\[ok\]\s+odoo rights:/);
      expect(good.stdout).not.toContain(odoo.apiKey);

      const bad = await run(['connection', 'test', 'bad', '--json']);
      expect(bad.code).toBe(1);
      const report = JSON.parse(bad.stdout);
      expect(report.checks[0]).toMatchObject({ system: 'odoo', name: 'connection', status: 'fail' });
      expect(bad.stderr).toMatch(/connection "bad": \d+ checks? failed/);
      const listed = JSON.parse((await run(['connection', 'list', '--json'])).stdout);
      expect(listed.find((c: { name: string }) => c.name === 'good').odoo).toMatchObject({ version: '19.0', transport: 'json2' });
    } finally {
      await odoo.stop();
    }
  });
});
