/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line) one after another, each in its
 * own process, with a private PostgreSQL available as BENCH_DATABASE_URL. Run it on a quiet machine: the figures and
 * ratios printed come from one run. Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM helper shared with the test runner
import { startPrivatePostgres } from '../../../scripts/private-postgres.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

let pg: { url: string; stop(): void } | null = null;
if (!process.env.BENCH_DATABASE_URL) {
  pg = await startPrivatePostgres();
  process.env.BENCH_DATABASE_URL = pg!.url;
}
let failed = 0;
try {
  for (const file of files) {
    console.log(`\n=== ${file} ===`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, file)], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) {
      failed++;
      console.log(`${file} failed (exit ${r.status})`);
    }
  }
} finally {
  pg?.stop();
}
console.log(`\n${files.length - failed} benchmark(s) ran, ${failed} failed`);
process.exit(failed ? 1 : 0);
