import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

/**
 * Everyday CLI behaviour (issue 16): --version; read-only commands never create a database or a key; commander's
 * errors on one line; `demo --help` shows each default once; `demo` takes PORT as the README says.
 */
let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function freshDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'cli-everyday-'));
  return dir;
}

describe('everyday CLI', () => {
  it('--version prints the connector\'s version', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it.each(['batches list', 'orders list', 'logs', 'tasks list', 'jobs list', 'queue list', 'user list', 'connection list', 'batches show 1'])(
    'read-only "%s" on a missing database says so in one line, exit 1, and creates nothing (no database, no secret.key)',
    async (command: string) => {
      const args = command.split(' ');
      const d = freshDir();
      const data = join(d, 'data');
      const r = await cli(args, { DATABASE_URL: `sqlite:${join(data, 'poleepo-odoo.db')}` });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Error: No database at .*poleepo-odoo\.db: nothing to show, and nothing was created\. [^\n]+\n$/);
      expect(existsSync(data)).toBe(false);
      expect(readdirSync(d)).toEqual([]);
    },
  );

  it('a read-only command on a database whose secret.key is missing refuses instead of making a new key', async () => {
    const d = freshDir();
    const env = { DATABASE_URL: `sqlite:${join(d, 'poleepo-odoo.db')}` };
    // `migrate` makes the schema only; the key is made by the first command that needs it — a read-only one must not.
    expect((await cli(['migrate'], env)).code).toBe(0);
    expect(existsSync(join(d, 'poleepo-odoo.db'))).toBe(true);
    expect(existsSync(join(d, 'secret.key'))).toBe(false);
    const r = await cli(['batches', 'list'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: The database .* has no .*secret\.key beside it: restore the key file or set ENCRYPTION_KEY \(nothing was created\)/);
    expect(existsSync(join(d, 'secret.key'))).toBe(false);
    // With the database and key there, the same command answers.
    expect((await cli(['batches', 'list'], { ...env, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })).stdout).toContain('No product batches yet');
  });

  it('commander\'s errors are one line: unknown option, unknown command, missing argument', async () => {
    for (const args of [['orders', 'import', '--bogus'], ['frobnicate'], ['user', 'passwd'], ['batches', 'list', '--limit']]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr).toMatch(/^Error: .+ \(see --help\)\n$/);
    }
    expect((await cli(['orders', 'import', '--bogus'])).stderr).toBe('Error: unknown option \'--bogus\' (see --help)\n');
  });

  it('demo --help shows each default once, and the PORT variable', async () => {
    const r = await cli(['demo', '--help']);
    expect(r.code).toBe(0);
    const port = r.stdout.slice(r.stdout.indexOf('--port'), r.stdout.indexOf('--data-dir'));
    expect(port.match(/default/g)).toHaveLength(1);
    expect(port.replace(/\s+/g, ' ')).toContain('(default: the PORT variable, else 8080)');
    expect(r.stdout).toContain('--reset');
  });

  it('demo takes its port from PORT when --port is not given (a busy port is named in the refusal)', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const d = freshDir();
      const r = await cli(['demo', '--data-dir', d], { PORT: String(port), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`Error: Port ${port} on 127.0.0.1 is already in use (set PORT to another port)\n`);
      const bad = await cli(['demo', '--data-dir', d], { PORT: 'eighty' });
      expect(bad).toMatchObject({ code: 1, stderr: 'Error: PORT must be a whole number (got "eighty")\n' });
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  }, 60_000);
});
