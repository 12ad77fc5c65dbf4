/**
 * Writes `seed/views.<version>.json` (dev-time tool):
 *   node --import tsx packages/odoo-emulator/src/seed/tools/extract-views.ts recordings
 * from the recorded views (`odoo-views/<version>.json`: the stored arch of eight standard views and the combined arch
 * `get_views` answered for five models) and from flows g and h (where the id counters of ir.ui.view,
 * ir.actions.server and base.automation stood when the recorder created its first record of each).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callOf, loadRecording, resultOf, type Version } from './recordings.ts';

interface RecordedView {
  xmlid: string; id: number; name: string; model: string; type: string; mode: string; priority: number; active: boolean;
  inherit_id: false | [number, string]; arch_db: string; missing?: boolean;
}
interface RecordedGetViews { model: string; view_type: string; view_id: number; view_xmlid: string; arch: string }

const root = process.argv[2] ?? 'recordings';
const seedDir = join(dirname(fileURLToPath(import.meta.url)), '..');

for (const version of [17, 18, 19] as Version[]) {
  const data = JSON.parse(readFileSync(join(root, 'odoo-views', `${version}.json`), 'utf8')) as { views: RecordedView[]; get_views: RecordedGetViews[]; server_version: string };
  const views = data.views.filter((v) => !v.missing).map((v) => ({
    id: v.id, xmlid: v.xmlid, name: v.name, model: v.model, type: v.type, mode: v.mode, priority: v.priority, active: v.active,
    inherit_id: v.inherit_id ? v.inherit_id[0] : false, arch_db: v.arch_db,
  }));
  const defaults = data.get_views.map((g) => ({ model: g.model, view_type: g.view_type, view_id: g.view_id, arch: g.arch }));
  const nextIds: Record<string, number> = {};
  for (const file of ['flows/g_custom_field_and_view.json', 'flows/h_server_actions_webhooks.json']) {
    const rec = loadRecording(root, version, file);
    for (const ex of rec?.exchanges ?? []) {
      const call = callOf(ex);
      if (!call || call.method !== 'create' || !['ir.ui.view', 'ir.actions.server', 'base.automation'].includes(call.model)) continue;
      const result = resultOf(ex);
      const id = Array.isArray(result) ? result[0] : result;
      if (typeof id === 'number' && nextIds[call.model] === undefined) nextIds[call.model] = id;
    }
  }
  const out = { note: `Recorded views of Odoo ${data.server_version} (recordings/odoo-views/${version}.json); id counters from flows g and h.`, nextIds, views, defaults };
  writeFileSync(join(seedDir, `views.${version}.json`), JSON.stringify(out) + '\n');
  console.log(`views.${version}.json: ${views.length} views, ${defaults.length} get_views answers, next ids ${JSON.stringify(nextIds)}`);
}
