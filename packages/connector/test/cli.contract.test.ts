import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { CLI_CONTRACT } from '../src/cli/contract.ts';
import { addMissingContractCommands } from '../src/cli/main.ts';
import { exitCodeFor } from '../src/cli/runtime.ts';
import { NotConfiguredError } from '../src/shared/errors.ts';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

function env() {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  return { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
}

describe('the CLI contract (DESIGN §3.1)', () => {
  it.each(CLI_CONTRACT.map((c) => [c.path.join(' ')]))('"%s" exists and has --help', async (path) => {
    const result = await cli([...path.split(' '), '--help'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: poleepo-odoo ${path}`);
  });

  it('answers an unknown command and a bad option with a one-line reason and exit code 1', async () => {
    const unknown = await cli(['frobnicate'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const badOption = await cli(['logs', '--system', 'ftp'], env());
    expect(badOption.code).toBe(1);
    expect(badOption.stderr.trim()).toBe('Error: --system must be one of odoo, poleepo, webhook, console, http (got "ftp")');
  });

  it('refuses a bad environment listing every bad variable, exit code 1, nothing started', async () => {
    const result = await cli(['start'], { PORT: '99999', DATABASE_URL: 'oracle://x', ENCRYPTION_KEY: 'abc' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid configuration:');
    for (const name of ['PORT', 'DATABASE_URL', 'ENCRYPTION_KEY']) expect(result.stderr).toContain(`- ${name}:`);
  });

  it('answers a contract command whose capability is not built yet plainly, with exit code 2', async () => {
    const program = new Command('poleepo-odoo').exitOverride();
    program.command('ship').command('label');
    addMissingContractCommands(program, [
      { path: ['ship', 'label'], summary: 'already there', arrivesWith: 'x' },
      { path: ['ship', 'handover'], summary: 'tell Poleepo the parcel left', arrivesWith: 'shipping' },
    ]);
    const ship = program.commands.find((c) => c.name() === 'ship')!;
    expect(ship.commands.map((c) => c.name())).toEqual(['label', 'handover']);
    const error = await program.parseAsync(['ship', 'handover', '--anything'], { from: 'user' }).catch((e) => e);
    expect(error).toBeInstanceOf(NotConfiguredError);
    expect(exitCodeFor(error)).toBe(2);
    expect(error.message).toBe('"ship handover" is not available yet: it arrives with shipping.');
  });

  it('migrates, then says the schema is up to date', async () => {
    const e = env();
    const first = await cli(['migrate', '--json'], e);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toContain('0001_foundation');
    const second = await cli(['migrate'], e);
    expect(second.stdout).toContain('is up to date');
  });

  it('lists the API log as a table or JSON (once there is a database: a read-only command creates none)', async () => {
    const e = env();
    expect((await cli(['logs'], e)).stderr).toMatch(/^Error: No database at /);
    expect((await cli(['migrate'], e)).code).toBe(0);
    const result = await cli(['logs', '--json'], e);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect((await cli(['logs', '--errors', '--since', '2026-01-01T00:00:00Z'], e)).stdout).toContain('No API log entries match.');
  });

  it('works as the installed binary (bin/poleepo-odoo.js) with real exit codes', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'poleepo-odoo.js'), 'serve'], { env: { ...process.env, ...env(), LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"serve" needs PostgreSQL');
  });
});
