/** The emulator's own command (`odoo-emulator`), run as a real process, as an integration outside this repository would. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'odoo-emulator.js');

describe('odoo-emulator command', () => {
  it('serves the chosen version until SIGINT, and answers JSON-RPC at the URL it prints', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--odoo-version', '17', '--api-key', 'emulator-cli-key'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('Press Ctrl-C')) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(out).toContain('Odoo 17 emulator');
    const res = await fetch(`${url}/jsonrpc`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: { service: 'common', method: 'version', args: [] } }),
    });
    const body = await res.json() as { result: { server_version: string } };
    expect(body.result.server_version).toMatch(/^17\./);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('Received SIGINT: stopping the Odoo emulator.');
  });

  it('refuses a bad option with one line and exit code 1, and prints --help', () => {
    const bad = spawnSync(process.execPath, [BIN, '--odoo-version', '16'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('odoo-emulator: --odoo-version must be 17, 18 or 19 (got 16)\n');
    const unknown = spawnSync(process.execPath, [BIN, '--colour'], { encoding: 'utf8' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^odoo-emulator: .*--colour/);
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--service-time <preset>');
  });
});
