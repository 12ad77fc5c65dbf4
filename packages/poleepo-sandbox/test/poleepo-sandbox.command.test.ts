/** The sandbox's own command (`poleepo-sandbox`), run as a real process. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'poleepo-sandbox.js');

describe('poleepo-sandbox command', () => {
  it('accepts the credentials it prints until SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--client-id', 'cli_id', '--client-secret', 'cli_secret', '--rate-limit-window', '30s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('Press Ctrl-C')) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(out).toContain('client id      cli_id');
    expect(out).toContain('5 requests per 30 s');
    const stats = await (await fetch(`${url}/__sandbox/stats`)).json() as { endpoints: Record<string, unknown> };
    expect(typeof stats.endpoints).toBe('object');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('Received SIGTERM: stopping the Poleepo sandbox.');
  });

  it('refuses half a credential pair and a bad duration with one line', () => {
    const half = spawnSync(process.execPath, [BIN, '--client-id', 'x'], { encoding: 'utf8' });
    expect(half.status).toBe(1);
    expect(half.stderr).toBe('poleepo-sandbox: --client-id and --client-secret go together\n');
    const dur = spawnSync(process.execPath, [BIN, '--batch-delay', 'soon'], { encoding: 'utf8' });
    expect(dur.status).toBe(1);
    expect(dur.stderr).toMatch(/--batch-delay: "soon" is not a duration/);
  });
});
