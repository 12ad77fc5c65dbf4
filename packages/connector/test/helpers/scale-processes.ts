/**
 * Real connector processes for the scale-out and crash tests: `node bin/poleepo-odoo.js start|serve|work` as child
 * processes (sharing one PostgreSQL schema, or one SQLite file for `start`), started and stopped the way an operator
 * would (SIGTERM = graceful stop, drain ≤ 10 s) or killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'poleepo-odoo.js');

export type ConnectorRole = 'serve' | 'work' | 'start';

export interface ConnectorProcess {
  role: ConnectorRole;
  /** A label for messages (`serve#1`, `work#2`). */
  name: string;
  child: ChildProcess;
  /** Base URL of a `serve` or `start` process (null for `work`). */
  url: string | null;
  /** Everything it printed so far (stdout and stderr interleaved), for diagnostics. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * A PostgreSQL URL that puts a child process in the test's schema: pg reads `options` from the connection string and
 * sends it at connect time, so every connection of the child's pool has `search_path` set to that schema.
 */
export function schemaDatabaseUrl(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Every child spawned here and still running: killed when the test process exits, whatever happened. */
const spawned = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of spawned) child.kill('SIGKILL');
});

const READY: Record<ConnectorRole, RegExp> = {
  start: /poleepo-odoo start: listening on (http:\/\/\S+)/,
  serve: /poleepo-odoo serve: listening on (http:\/\/\S+)/,
  work: /poleepo-odoo work: workers and scheduler running/,
};

/** Starts one process and resolves once it says it is ready (the serve URL parsed from its first line). */
export async function startConnectorProcess(role: ConnectorRole, name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ConnectorProcess> {
  const args = [BIN, role, ...(role !== 'work' ? ['--port', '0'] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    spawned.delete(child);
    resolve(code);
  }));
  const ready = new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${tail(text)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const m = READY[role].exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(role !== 'work' ? m[1] : null);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}) before it was ready:\n${tail(text)}`));
    });
  });
  try {
    const url = await ready;
    return { role, name, child, url, output: () => text, exited };
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  }
}

/**
 * Graceful stop of every process at once (SIGTERM: stop accepting, drain, release leases), SIGKILL for any still
 * alive after `graceMs`. Returns the exit codes by name. Safe to call twice and on processes that already exited.
 */
export async function stopConnectorProcesses(processes: ConnectorProcess[], graceMs = 20_000): Promise<Record<string, number | null>> {
  const codes: Record<string, number | null> = {};
  await Promise.all(processes.map(async (p) => {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }, graceMs);
    codes[p.name] = await p.exited;
    clearTimeout(timer);
  }));
  return codes;
}

/** Kills at once every child started here that is still running, ready or not (afterAll, after a failure). */
export function killConnectorProcesses(): void {
  for (const child of spawned) child.kill('SIGKILL');
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}
