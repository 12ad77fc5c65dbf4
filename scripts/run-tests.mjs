#!/usr/bin/env node
// `npm test`: runs every test against SQLite and a real PostgreSQL. When TEST_DATABASE_URL is not given, a private
// throwaway PostgreSQL cluster is started from the installed server binaries (Debian's `postgresql` package) and
// stopped afterwards. Fails when a test fails, when no test ran, or when PostgreSQL is unavailable.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const extraArgs = process.argv.slice(2);

function findPgBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startPrivatePostgres() {
  const bin = findPgBin();
  if (!bin) {
    console.error('PostgreSQL server binaries not found: install them (apt-get install postgresql) or set TEST_DATABASE_URL.');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid && process.getuid() === 0;
  // PostgreSQL refuses to run as root: run its binaries as the `postgres` system user the package creates.
  const run = (cmd, args) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return spawnSync(full[0], full[1], { encoding: 'utf8' });
  };
  let r = run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  r = run('pg_ctl', ['-D', dataDir, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr, existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '');
    process.exit(1);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      run('pg_ctl', ['-D', dataDir, '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let pgHandle = null;
if (!process.env.TEST_DATABASE_URL) {
  pgHandle = await startPrivatePostgres();
  process.env.TEST_DATABASE_URL = pgHandle.url;
}

const reportDir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-report-'));
const reportFile = join(reportDir, 'report.json');
const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...extraArgs], {
  stdio: 'inherit',
  env: process.env,
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
pgHandle?.stop();

let passed = 0, failed = 0, skipped = 0;
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
rmSync(reportDir, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
if (code !== 0) process.exit(code);
if (passed === 0) {
  console.error('No test ran.');
  process.exit(1);
}
if (skipped > 0) {
  console.error('Skipped tests are not allowed (the PostgreSQL and browser tests must run).');
  process.exit(1);
}
