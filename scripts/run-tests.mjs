#!/usr/bin/env node
// `npm test`: runs every test against SQLite and a real PostgreSQL. When TEST_DATABASE_URL is not given, a private
// throwaway PostgreSQL cluster is started from the installed server binaries (Debian's `postgresql` package) and
// stopped afterwards. Fails when a test fails, when no test ran, or when PostgreSQL is unavailable.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivatePostgres } from './private-postgres.mjs';

const extraArgs = process.argv.slice(2);

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
// Interrupted (Ctrl-C, a timeout): stop the tests and the private PostgreSQL instead of leaving it behind.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    child.kill('SIGTERM');
    pgHandle?.stop();
    process.exit(130);
  });
}
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
pgHandle?.stop();

let passed = 0, failed = 0, failedSuites = 0, skipped = 0;
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A suite fails with its tests, or alone (an import error, a crashing hook): either way the run fails.
  failedSuites = report.numFailedTestSuites ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
rmSync(reportDir, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped${failedSuites ? ` (${failedSuites} failing suite${failedSuites === 1 ? '' : 's'})` : ''}`);
if (code !== 0) process.exit(code);
if (failed > 0 || failedSuites > 0) process.exit(1);
if (passed === 0) {
  console.error('No test ran.');
  process.exit(1);
}
if (skipped > 0) {
  console.error('Skipped tests are not allowed (the PostgreSQL and browser tests must run).');
  process.exit(1);
}
