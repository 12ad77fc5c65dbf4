/**
 * Writes `seed/fields.<version>.json` from the recorded `fields_get` answers (dev-time tool):
 *   node --import tsx packages/odoo-emulator/src/seed/tools/extract-fields.ts recordings
 * The emulator answers `fields_get` from these files and derives its model field lists from them.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFieldsGet, type Version } from './recordings.ts';

const root = process.argv[2] ?? 'recordings';
const seedDir = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const version of [17, 18, 19] as Version[]) {
  const fields = loadFieldsGet(root, version);
  writeFileSync(join(seedDir, `fields.${version}.json`), JSON.stringify(fields) + '\n');
  console.log(`fields.${version}.json: ${Object.keys(fields).length} models`);
}
