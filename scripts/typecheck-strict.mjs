#!/usr/bin/env node
// `npm run typecheck:strict`: the connector's sources under noUncheckedIndexedAccess and noImplicitOverride
// (packages/connector/tsconfig.strict.json). The connector imports the Odoo emulator and the Poleepo sandbox (demo and
// sandbox commands), so TypeScript checks their files in the same program; those test tools are not held to the
// stricter flags yet, so only errors in packages/connector/src fail this check (the others are counted, not hidden).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', 'packages/connector/tsconfig.strict.json'], { encoding: 'utf8' });
if (run.error) throw run.error;
const lines = `${run.stdout}${run.stderr}`.split('\n');
// An error is a line starting with its file; the indented lines after it belong to it.
const errors = [];
for (const line of lines) {
  if (/^\S.*\(\d+,\d+\): error TS\d+/.test(line) || /^error TS\d+/.test(line)) errors.push([line]);
  else if (line.trim() && errors.length) errors[errors.length - 1].push(line);
}
const ours = errors.filter(([first]) => !/^packages\/(?!connector\/src\/)/.test(first));
const others = errors.length - ours.length;
for (const error of ours) console.error(error.join('\n'));
if (ours.length) {
  console.error(`\n${ours.length} error${ours.length === 1 ? '' : 's'} in packages/connector/src under the strict flags`);
  process.exit(1);
}
if (run.status !== 0 && errors.length === 0) {
  console.error(lines.join('\n'));
  process.exit(run.status ?? 1);
}
console.log(`connector sources pass noUncheckedIndexedAccess and noImplicitOverride${others ? ` (${others} findings in the emulator/sandbox it imports, not yet held to them)` : ''}`);
