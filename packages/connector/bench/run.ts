/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line) one after another, each in its
 * own process, with a private PostgreSQL available as BENCH_DATABASE_URL, and writes the report, docs/benchmarks.md:
 * the machine, the date, and every figure of this one run beside its bar and its physical limit. Each bench hands its
 * figures over through bench/report.ts (`reportSection()` → a JSON file in BENCH_RESULTS_DIR). Run it on a quiet
 * machine. Not part of `npm test`.
 *
 *   npm run bench                          every bench, full size; writes docs/benchmarks.md
 *   npm run bench -- --quick               a reduced version of each (under 3 minutes); prints the report only
 *   npm run bench -- webhooks orders       only the benches whose file name contains one of the words; prints only
 *   npm run bench -- … --out FILE          writes the report to FILE (also for --quick or a subset)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM helper shared with the test runner
import { startPrivatePostgres } from '../../../scripts/private-postgres.mjs';
import { formatBar, formatLimit, formatMet, formatValue, sectionTable, type BenchSectionResult } from './report.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const defaultReport = join(repoRoot, 'docs', 'benchmarks.md');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
if (outIndex >= 0 && !out) {
  console.error('--out needs a file name');
  process.exit(2);
}
const wanted = args.filter((a, i) => !a.startsWith('--') && i !== outIndex + 1);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no bench matches ${wanted.join(', ')}`);
  process.exit(2);
}
// The report in docs/ is one full run of every bench; a quick run or a subset only prints (unless --out says where).
const reportPath = out ? resolve(process.cwd(), out) : !quick && wanted.length === 0 ? defaultReport : null;

const machine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memoryGiB: totalmem() / 2 ** 30,
  node: process.version,
  os: `${process.platform} ${release()}`,
  loadAtStart: loadavg()[0],
};
const startedAt = new Date();
const resultsDir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-bench-results-'));

let pg: { url: string; stop(): void } | null = null;
if (!process.env.BENCH_DATABASE_URL) {
  pg = await startPrivatePostgres();
  process.env.BENCH_DATABASE_URL = pg!.url;
}
const runs: { file: string; seconds: number; status: number | null }[] = [];
try {
  for (const file of files) {
    console.log(`\n=== ${file}${quick ? ' (quick)' : ''} ===`);
    const started = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, file)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULTS_DIR: resultsDir, ...(quick ? { BENCH_QUICK: '1' } : {}) },
    });
    runs.push({ file, seconds: (performance.now() - started) / 1000, status: r.status });
    if (r.status !== 0) console.log(`${file} failed (exit ${r.status ?? r.signal})`);
  }
} finally {
  pg?.stop();
}

const sections = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as BenchSectionResult);
rmSync(resultsDir, { recursive: true, force: true });
const totalSeconds = (Date.now() - startedAt.getTime()) / 1000;
const report = renderReport(sections);
if (reportPath) {
  writeFileSync(reportPath, report);
  console.log(`\nReport written to ${relative(process.cwd(), reportPath) || reportPath}`);
} else {
  console.log(`\n${report}`);
}
const failed = runs.filter((r) => r.status !== 0).length;
console.log(`\n${runs.length - failed} benchmark(s) ran, ${failed} failed, in ${minutes(totalSeconds)}`);
process.exit(failed ? 1 : 0);

function renderReport(all: BenchSectionResult[]): string {
  const gitHead = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim();
  const withBar = all.flatMap((s) => s.figures.filter((f) => f.bar).map((f) => ({ s, f })));
  const missed = withBar.filter(({ f }) => !f.met).length;
  return [
    '# Benchmarks',
    '',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` (packages/connector/bench/run.ts) from one run: every figure, bar and ratio below`,
    'comes from that run, on the machine below. Each figure stands beside the bar it is held against and the physical limit',
    'it cannot beat on this machine (Odoo\'s modelled service time on the calibrated emulator, the same HTTP stack answering',
    'bare), so a reader sees how close the connector is to the limit. Rerun it rather than edit it.',
    '',
    '## Run',
    '',
    `- Date: ${startedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; ${quick ? 'quick run (reduced sizes)' : 'full run'}, ${minutes(totalSeconds)} in all`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB memory; ${machine.os}; Node ${machine.node}`,
    `- Load average at the start: ${machine.loadAtStart.toFixed(2)}${machine.loadAtStart > machine.cores * 0.5 ? ' (not a quiet machine: the figures include that noise)' : ''}`,
    `- Commit: ${gitHead}${dirty ? ' (with uncommitted changes)' : ''}; PostgreSQL: a private cluster started by the runner (fsync off)`,
    `- Benches: ${runs.map((r) => `${r.file} ${minutes(r.seconds)}${r.status === 0 ? '' : ` **failed (exit ${r.status})**`}`).join(', ')}`,
    '',
    '## Bars',
    '',
    withBar.length === 0 ? 'No figure with a bar was reported.' : `${withBar.length - missed} of ${withBar.length} bars met${missed ? `, **${missed} missed**` : ''}.`,
    '',
    '| Section | Figure | Measured | Bar | | Physical limit (and how close) |',
    '|---|---|---|---|---|---|',
    ...withBar.map(({ s, f }) => `| ${s.title} | ${f.label} | ${formatValue(f.value, f.unit)} | ${formatBar(f)} | ${formatMet(f)} | ${formatLimit(f)} |`),
    '',
    '## Sections',
    '',
    ...all.map((s) => `${sectionTable(s).replace(/^### /, `### ${s.bench}: `)}\n`),
  ].join('\n').replace(/\n{3,}/g, '\n\n');
}

function minutes(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
