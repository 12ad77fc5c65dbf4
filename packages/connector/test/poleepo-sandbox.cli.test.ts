import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';

describe('poleepo-odoo sandbox poleepo', () => {
  it('prints the URL and credentials, serves the API and the control API, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', 'poleepo', '--port', '0', '--client-id', 'poleepo_cli', '--client-secret', 'plpscrt_cli', '--rate-limit-window', '30s'], { cwd: join(import.meta.dirname, '..'), env: { ...process.env, LOG_LEVEL: 'silent' } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!out.includes('Press Ctrl-C')) {
        if (Date.now() - started > 60_000) throw new Error(`sandbox did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      expect(out).toContain('client id      poleepo_cli');
      expect(out).toContain('client secret  plpscrt_cli');
      expect(out).toContain('5 requests per 30 s');
      const token = await fetch(`${url}/oauth/access_token`, { method: 'POST', body: JSON.stringify({ client_id: 'poleepo_cli', client_secret: 'plpscrt_cli', grant: 'client_credentials' }) });
      expect(token.status).toBe(200);
      const stats = await (await fetch(`${url}/__sandbox/stats`)).json();
      expect(stats.endpoints['auth.token'].requests).toBe(1);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('Received SIGINT: stopping the Poleepo sandbox.');
  });

  it('refuses half a credential pair and a bad port with one line', async () => {
    const half = await cli(['sandbox', 'poleepo', '--client-id', 'x']);
    expect(half).toMatchObject({ code: 1, stderr: 'Error: --client-id and --client-secret go together\n' });
    const port = await cli(['sandbox', 'poleepo', '--port', 'abc']);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(/--port must be a whole number/);
  });
});
