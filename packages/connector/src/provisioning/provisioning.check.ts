import type { AppContext } from '../app/context.ts';
import { ConnectionsService } from '../connections/connections.service.ts';
import { checkOdooSide } from '../connections/connections.odoo-check.ts';
import type { ConnectionCheckResult } from '../connections/connections.types.ts';
import { OdooAccessError, OdooNotFoundError, isOdooError } from '../odoo/odoo.errors.ts';
import { errorMessage } from '../shared/errors.ts';
import { actionItems, fieldItems, groupItem, modelIds } from './provisioning.plan.ts';
import { OdooProvisioning, type ProvisioningSession } from './provisioning.service.ts';
import type { ItemState, OdooCheckReport } from './provisioning.types.ts';
import { ADMIN_GROUP } from './provisioning.views.ts';

/** Models provisioning writes, with the operations it needs (Settings / Administration rights give them all). */
const PROVISIONING_RIGHTS: { model: string; operations: ('create' | 'write' | 'unlink')[]; optional?: boolean }[] = [
  { model: 'ir.model.fields', operations: ['create', 'write', 'unlink'] },
  { model: 'ir.model.data', operations: ['create', 'write', 'unlink'] },
  { model: 'ir.ui.view', operations: ['create', 'write', 'unlink'] },
  { model: 'ir.actions.server', operations: ['create', 'write', 'unlink'] },
  { model: 'res.groups', operations: ['create', 'write', 'unlink'] },
  { model: 'base.automation', operations: ['create', 'write', 'unlink'], optional: true },
];

/**
 * `odoo check`: the Odoo side of the connection (version, transport, company, rights, key expiry — the same verdicts
 * as `connection test`), the rights provisioning needs, the company rule for databases shared by several
 * connections, then every record provisioning makes (missing, out of date, in conflict) and whether the extended
 * views render with the Poleepo fields for the API user. Changes nothing.
 */
export async function checkOdoo(ctx: AppContext, ref?: string | number): Promise<OdooCheckReport> {
  const connections = new ConnectionsService(ctx);
  const connection = typeof ref === 'number' ? await connections.get(ref) : await connections.resolve(ref);
  const secrets = await connections.secrets(connection.id);
  const base = await checkOdooSide({ ctx, connection, secrets });
  if (base.odooFacts) await connections.recordOdooFacts(connection.id, base.odooFacts);
  const checks: ConnectionCheckResult[] = [...base.checks];
  const add = (name: string, status: ConnectionCheckResult['status'], detail: string) => checks.push({ system: 'odoo', name, status, detail });
  const report = (items: ItemState[]): OdooCheckReport => {
    const ok = checks.every((c) => c.status !== 'fail');
    const complete = items.length > 0 && items.every((i) => i.status === 'ok' || i.status === 'unavailable') && !checks.some((c) => c.name === 'views render' && c.status !== 'ok');
    return { connection: connection.name, ok, complete, checks, items };
  };
  if (checks.some((c) => c.name === 'connection' && c.status === 'fail')) {
    add('provisioning', 'skipped', 'not checked: Odoo could not be reached');
    return report([]);
  }

  let s: ProvisioningSession;
  try {
    s = await new OdooProvisioning(ctx, connections).open(connection.id);
  } catch (error) {
    add('provisioning', 'fail', `could not read what is provisioned: ${isOdooError(error) ? error.odooMessage : errorMessage(error)}`);
    return report([]);
  }
  await checkProvisioningRights(s, add);
  add('companies', s.plan.refusal ? 'fail' : 'ok', s.plan.summary);

  const items: ItemState[] = [];
  try {
    const models = await modelIds(s.client, ['product.product', 'product.template', 'sale.order', 'stock.picking', 'account.move']);
    const group = groupItem(s.features, s.odoo.uid);
    const groupState = await s.records.status(group.ref, group.spec);
    items.push(groupState);
    for (const f of fieldItems(s.features, s.plan, models)) items.push(await s.records.status(f.ref, f.spec));
    const provisioning = new OdooProvisioning(ctx, connections);
    const [shipItem, courierItem, ...otherActions] = actionItems(provisioning.buttonActions(s), models);
    const shipState = await s.records.status(shipItem.ref, shipItem.spec);
    const courierState = await s.records.status(courierItem.ref, courierItem.spec);
    items.push(shipState, courierState);
    for (const a of otherActions) items.push(await s.records.status(a.ref, a.spec));
    const views = await provisioning.views(s, { ship: shipState.id ?? 0, courier: courierState.id ?? 0 });
    const viewsWithPresence: ((typeof views)[number] & { present: boolean })[] = [];
    for (const v of views) {
      const state = await s.records.status(v.item.ref, v.item.spec);
      items.push(state);
      viewsWithPresence.push({ ...v, present: state.status !== 'missing' });
    }
    if (s.features.automationRules) {
      for (const rule of await provisioning.automations(s, models)) items.push(await s.records.status(rule.item.ref, rule.item.spec));
    } else {
      items.push({ kind: 'automation rule', xmlid: 'automation_*', model: 'base.automation', label: 'automation rules', status: 'unavailable', id: null, detail: 'the base_automation module is not installed (optional)' });
    }
    await checkRendering(s, viewsWithPresence, add);
    await checkGroupMembers(s, groupState, add);
  } catch (error) {
    add('provisioning', 'fail', `could not compare what is provisioned: ${isOdooError(error) ? error.odooMessage : errorMessage(error)}`);
    return report(items);
  }
  const missing = items.filter((i) => i.status === 'missing');
  const outdated = items.filter((i) => i.status === 'outdated');
  const conflicts = items.filter((i) => i.status === 'conflict');
  if (conflicts.length) add('provisioned', 'fail', `${conflicts.length} in conflict: ${conflicts.map((i) => `${i.label}: ${i.detail}`).join('; ')}`);
  else if (missing.length || outdated.length) {
    add('provisioned', 'fail', [missing.length ? `missing: ${missing.map((i) => i.label).join(', ')}` : '', outdated.length ? `out of date: ${outdated.map((i) => i.label).join(', ')}` : ''].filter(Boolean).join('; ') + ' — run "odoo provision"');
  } else add('provisioned', 'ok', `all ${items.length} records are in place and up to date (${counts(items)})`);
  return report(items);
}

function counts(items: ItemState[]): string {
  const by = new Map<string, number>();
  for (const i of items) if (i.status === 'ok') by.set(i.kind, (by.get(i.kind) ?? 0) + 1);
  return [...by].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
}

async function checkProvisioningRights(s: ProvisioningSession, add: (n: string, st: ConnectionCheckResult['status'], d: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const { model, operations, optional } of PROVISIONING_RIGHTS) {
    for (const operation of operations) {
      try {
        const allowed = await s.client.call<boolean>(model, 'check_access_rights', [operation], { raise_exception: false });
        if (!allowed) missing.push(`${operation} ${model}`);
      } catch (error) {
        if (error instanceof OdooNotFoundError && optional) break;
        if (error instanceof OdooAccessError) missing.push(`${operation} ${model}`);
        else throw error;
      }
    }
  }
  if (missing.length) add('provisioning rights', 'fail', `The API user cannot ${missing.join(', ')}: provisioning needs an administrator (Settings > Users: Administration = Settings)`);
  else add('provisioning rights', 'ok', 'The API user may create fields, views, server actions, groups and automation rules');
}

/** Each extended view, as `get_views` gives it to the API user, must show the Poleepo fields. */
async function checkRendering(s: ProvisioningSession, views: { view: { model: string; viewType: string; marker: string; isDefault: boolean; name: string }; inheritId: number; present: boolean }[], add: (n: string, st: ConnectionCheckResult['status'], d: string) => void): Promise<void> {
  const problems: string[] = [];
  let rendered = 0;
  for (const { view, inheritId, present } of views) {
    if (!present) continue;
    try {
      const answer = await s.client.call<{ views: Record<string, { arch: string }> }>(view.model, 'get_views', [], { views: [[view.isDefault ? false : inheritId, view.viewType]], options: {} });
      const arch = answer.views[view.viewType]?.arch ?? '';
      if (arch.includes(`name="${view.marker}"`)) rendered++;
      else problems.push(`${view.name}: the ${view.viewType} view of ${view.model} does not show ${view.marker}`);
    } catch (error) {
      problems.push(`${view.name}: ${isOdooError(error) ? error.odooMessage : errorMessage(error)}`);
    }
  }
  if (problems.length) add('views render', 'fail', problems.join('; '));
  else if (rendered) add('views render', 'ok', `${rendered} extended view${rendered === 1 ? '' : 's'} render with the Poleepo fields`);
  else add('views render', 'skipped', 'no view extension to render yet');
}

async function checkGroupMembers(s: ProvisioningSession, group: ItemState, add: (n: string, st: ConnectionCheckResult['status'], d: string) => void): Promise<void> {
  if (group.status === 'missing' || !group.id || !s.features.groupMembersField) return;
  const [row] = await s.client.read('res.groups', [group.id], [s.features.groupMembersField]);
  const members = (row?.[s.features.groupMembersField] as number[] | undefined) ?? [];
  const you = members.includes(s.odoo.uid) ? ' (the API user among them)' : '';
  add('administrators', members.length ? 'ok' : 'warn', members.length
    ? `${members.length} user${members.length === 1 ? ' has' : 's have'} the Poleepo Administrator role (${ADMIN_GROUP})${you}`
    : 'nobody has the Poleepo Administrator role: give it in Settings > Users > Access Rights to those who manage the connector');
}
