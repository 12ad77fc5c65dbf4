import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooRecord } from '../odoo/odoo.types.ts';
import { automationRules, type AutomationRule, type ButtonAction } from './provisioning.actions.ts';
import type { CompanyPlan } from './provisioning.companies.ts';
import type { ProvisioningFeatures } from './provisioning.features.ts';
import { fieldXmlid, POLEEPO_FIELDS, type PoleepoField } from './provisioning.fields.ts';
import type { EnsureSpec } from './provisioning.records.ts';
import { ProvisioningRefusedError, type ItemRef } from './provisioning.types.ts';
import { ADMIN_GROUP_XMLID, poleepoViews, type ActionIds, type PoleepoView } from './provisioning.views.ts';

/**
 * The desired state of our records in one Odoo database, stage by stage (group, fields, server actions, views,
 * automation rules: each stage needs ids the previous ones made), as (item, spec) pairs that provisioning ensures
 * and `odoo check` compares.
 */

export interface PlannedItem {
  ref: ItemRef;
  spec: EnsureSpec;
}

export const ADMIN_GROUP_NAME = 'Poleepo Administrator';
const GROUP_COMMENT = 'Poleepo Connector: sees the Poleepo ids and the connector\'s technical fields. Created by "poleepo-odoo odoo provision".';

export function groupItem(features: ProvisioningFeatures, uid: number): PlannedItem {
  return {
    ref: { kind: 'group', xmlid: ADMIN_GROUP_XMLID, model: 'res.groups', label: `group "${ADMIN_GROUP_NAME}"` },
    spec: {
      // The API user (the one who provisions, an administrator) gets the role; others are given it in Settings > Users.
      create: { name: ADMIN_GROUP_NAME, comment: GROUP_COMMENT, ...(features.groupMembersField ? { [features.groupMembersField]: [[4, uid]] } : {}) },
      compare: { name: ADMIN_GROUP_NAME, comment: GROUP_COMMENT },
      find: [['name', '=', ADMIN_GROUP_NAME]],
    },
  };
}

/** Model ids (ir.model) of the models provisioning touches. */
export async function modelIds(client: OdooClient, models: string[]): Promise<Map<string, number>> {
  const rows = await client.searchRead<OdooRecord & { model: string }>('ir.model', [['model', 'in', models]], { fields: ['model'] });
  const out = new Map(rows.map((r) => [r.model, r.id]));
  const missing = models.filter((m) => !out.has(m));
  if (missing.length) throw new ProvisioningRefusedError(`Odoo has no model ${missing.join(', ')}: install the Sales and Inventory apps first`);
  return out;
}

export function fieldRef(field: Pick<PoleepoField, 'model' | 'name'>): ItemRef {
  return { kind: 'field', xmlid: fieldXmlid(field), model: 'ir.model.fields', label: `field ${field.model}.${field.name}` };
}

export function fieldItems(features: ProvisioningFeatures, plan: CompanyPlan, models: Map<string, number>): PlannedItem[] {
  return POLEEPO_FIELDS.map((f) => {
    const companyDependent = f.companyScoped && plan.companyDependent && features.supportsCompanyDependent;
    return {
      ref: fieldRef(f),
      spec: {
        create: {
          name: f.name, field_description: f.label, model_id: models.get(f.model), ttype: f.type, store: true, copied: false,
          index: Boolean(f.index), help: f.help, ...(features.supportsCompanyDependent ? { company_dependent: companyDependent } : {}),
        },
        compare: { field_description: f.label, help: f.help, copied: false, index: Boolean(f.index) },
        inspect: ['ttype', 'state', ...(features.supportsCompanyDependent ? ['company_dependent'] : [])],
        find: [['model', '=', f.model], ['name', '=', f.name]],
        conflict: (current) => {
          if (current.ttype !== f.type) return `Odoo already has a field ${f.model}.${f.name} of type ${String(current.ttype)}; the connector needs a ${f.type} field. Rename or delete that field in Odoo (Settings > Technical > Fields), then provision again`;
          if (current.state !== 'manual') return `${f.model}.${f.name} belongs to an installed module, not to the connector: it cannot be provisioned`;
          if (companyDependent && current.company_dependent === false) return `${f.model}.${f.name} exists but is not company-dependent`;
          return null;
        },
      },
    };
  });
}

/** The button actions' items: ship first, courier second (the views need their ids), then the others. */
export function actionItems(actions: { ship: ButtonAction; courier: ButtonAction; invoicePdf?: ButtonAction }, models: Map<string, number>): [ship: PlannedItem, courier: PlannedItem, ...others: PlannedItem[]] {
  const item = (a: ButtonAction): PlannedItem => ({
    ref: { kind: 'server action', xmlid: a.xmlid, model: 'ir.actions.server', label: `server action "${a.name}"` },
    spec: {
      create: { name: a.name, model_id: models.get(a.model), state: 'code', code: a.code },
      compare: { name: a.name, model_id: models.get(a.model)!, state: 'code', code: a.code },
      find: [['name', '=', a.name], ['model_id', '=', models.get(a.model)], ['state', '=', 'code']],
    },
  });
  return [item(actions.ship), item(actions.courier), ...(actions.invoicePdf ? [item(actions.invoicePdf)] : [])];
}

export interface ViewPlan {
  view: PoleepoView;
  item: PlannedItem;
  inheritId: number;
}

/** The view items; `inherits` maps each extended view's xmlid to its id (null: not in this database). */
export function viewItems(features: ProvisioningFeatures, actionIds: ActionIds, inherits: Map<string, number | null>): ViewPlan[] {
  return poleepoViews({ listTag: features.listTag }, actionIds).map((view) => {
    const inheritId = inherits.get(view.inherit);
    if (!inheritId) throw new ProvisioningRefusedError(`Odoo has no view ${view.inherit} to extend (is its app installed?)`);
    return {
      view,
      inheritId,
      item: {
        ref: { kind: 'view', xmlid: view.xmlid, model: 'ir.ui.view', label: `view ${view.name} (extends ${view.inherit})` },
        spec: {
          create: { name: view.name, model: view.model, inherit_id: inheritId, mode: 'extension', priority: 99, arch: view.arch },
          compare: { name: view.name, model: view.model, inherit_id: inheritId, mode: 'extension', priority: 99, active: true, arch_db: view.arch },
          writeAs: { arch_db: 'arch' },
          find: [['name', '=', view.name], ['model', '=', view.model], ['inherit_id', '=', inheritId]],
        },
      },
    };
  });
}

export function inheritedViewXmlids(): string[] {
  return [...new Set(poleepoViews({ listTag: 'list' }, { ship: 0, courier: 0 }).map((v) => v.inherit))];
}

export interface AutomationPlan {
  rule: AutomationRule;
  item: PlannedItem;
  modelId: number;
  payloadFieldIds: number[];
}

/** Field ids (ir.model.fields) by name, for the fields of `model` that exist. */
export async function fieldIds(client: OdooClient, model: string, names: string[]): Promise<Map<string, number>> {
  const rows = await client.searchRead<OdooRecord & { name: string }>('ir.model.fields', [['model', '=', model], ['name', 'in', names]], { fields: ['name'] });
  return new Map(rows.map((r) => [r.name, r.id]));
}

export async function automationItems(client: OdooClient, connectionName: string, url: string, models: Map<string, number>): Promise<AutomationPlan[]> {
  const out: AutomationPlan[] = [];
  for (const rule of automationRules(connectionName, url)) {
    const ids = await fieldIds(client, rule.model, [...rule.triggerFields, ...rule.payloadFields]);
    const trigger = rule.triggerFields.map((n) => ids.get(n)).filter((id): id is number => id !== undefined);
    const payload = rule.payloadFields.map((n) => ids.get(n)).filter((id): id is number => id !== undefined);
    const modelId = models.get(rule.model)!;
    out.push({
      rule,
      modelId,
      payloadFieldIds: payload,
      item: {
        ref: { kind: 'automation rule', xmlid: rule.xmlid, model: 'base.automation', label: `automation rule "${rule.name}"` },
        spec: {
          // Created disabled (an administrator enables it); later runs leave `active` as the administrator set it.
          create: {
            name: rule.name, model_id: modelId, trigger: 'on_create_or_write', trigger_field_ids: [[6, 0, trigger]], active: false,
            action_server_ids: [[0, 0, { name: rule.name, model_id: modelId, state: 'webhook', webhook_url: rule.url, webhook_field_ids: [[6, 0, payload]] }]],
          },
          compare: { name: rule.name, model_id: modelId, trigger: 'on_create_or_write', trigger_field_ids: trigger },
          find: [['name', '=', rule.name], ['model_id', '=', modelId]],
        },
      },
    });
  }
  return out;
}

export type { ActionIds };
