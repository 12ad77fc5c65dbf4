import type { AppContext } from '../app/context.ts';
import { ConnectionsService } from '../connections/connections.service.ts';
import { odooClientFor } from '../connections/connections.odoo.ts';
import type { ConnectionView } from '../connections/connections.types.ts';
import type { OdooClient, OdooSession } from '../odoo/odoo.client.ts';
import type { OdooRecord } from '../odoo/odoo.types.ts';
import { automationRules, buttonActions } from './provisioning.actions.ts';
import { planCompanies, siblingsOf, type CompanyPlan, type SiblingConnection } from './provisioning.companies.ts';
import { detectProvisioningFeatures, type ProvisioningFeatures } from './provisioning.features.ts';
import { fieldXmlid, POLEEPO_FIELDS } from './provisioning.fields.ts';
import { ADMIN_GROUP_XMLID, poleepoViews } from './provisioning.views.ts';
import {
  actionItems, ADMIN_GROUP_NAME, automationItems, fieldItems, fieldRef, groupItem, inheritedViewXmlids, modelIds, viewItems, type AutomationPlan, type ViewPlan,
} from './provisioning.plan.ts';
import { ModuleRecords } from './provisioning.records.ts';
import { odooWebhookToken, odooWebhookUrl } from './provisioning.tokens.ts';
import {
  emptyCounts, ProvisioningRefusedError, type ItemChange, type ItemKind, type ItemRef, type ProvisionReport,
} from './provisioning.types.ts';

/** Everything provisioning learns about one connection's Odoo database before it acts. */
export interface ProvisioningSession {
  connection: ConnectionView;
  siblings: SiblingConnection[];
  client: OdooClient;
  odoo: OdooSession;
  features: ProvisioningFeatures;
  records: ModuleRecords;
  plan: CompanyPlan;
}

const MODELS = ['product.product', 'product.template', 'sale.order', 'stock.picking', 'account.move'];

const KIND_BY_MODEL: Record<string, ItemKind> = {
  'res.groups': 'group', 'ir.model.fields': 'field', 'ir.actions.server': 'server action', 'ir.ui.view': 'view', 'base.automation': 'automation rule',
};

/** The xmlids of a connection's automation rules. */
function ruleXmlids(connectionName: string): string[] {
  return automationRules(connectionName, '').map((r) => r.xmlid);
}

/** Removal order: what refers to something goes before it (rules and views before actions, fields, the group). */
const REMOVAL_ORDER = ['base.automation', 'ir.ui.view', 'ir.actions.server', 'ir.model.fields', 'res.groups'];

/**
 * `odoo provision` (DESIGN §4.9): creates, idempotently and only through the external API, the x_poleepo_* fields,
 * the Poleepo Administrator group, the delivery buttons' server actions, the view extensions and (disabled) the
 * product-change automation rules, each named by an xmlid of our module; `--remove` takes away exactly those.
 * Records shared by every connection of one Odoo database are kept while another connection still uses it.
 */
export class OdooProvisioning {
  private readonly connections: ConnectionsService;

  constructor(private readonly ctx: AppContext, connections?: ConnectionsService) {
    this.connections = connections ?? new ConnectionsService(ctx);
  }

  /** The connection (name or id; the only one when none is given) and what its Odoo database holds and can do. */
  async open(ref?: string | number): Promise<ProvisioningSession> {
    const connection = typeof ref === 'number' ? await this.connections.get(ref) : await this.connections.resolve(ref);
    const siblings = siblingsOf(connection, await this.connections.list());
    const client = await odooClientFor(this.ctx, connection);
    const odoo = await client.connect();
    const features = await detectProvisioningFeatures(client);
    const records = new ModuleRecords(client);
    await records.load();
    const productFields = POLEEPO_FIELDS.filter((f) => f.companyScoped).map((f) => f.name);
    const existing = await client.searchRead<OdooRecord & { name: string; company_dependent?: boolean }>('ir.model.fields', [['model', '=', 'product.product'], ['name', 'in', productFields]], {
      fields: ['name', ...(features.supportsCompanyDependent ? ['company_dependent'] : [])],
    });
    const plan = planCompanies(connection, siblings, {
      supportsCompanyDependent: features.supportsCompanyDependent,
      existingProductFields: existing.map((f) => ({ name: f.name, companyDependent: f.company_dependent === true })),
    });
    return { connection, siblings, client, odoo, features, records, plan };
  }

  async provision(ref?: string | number): Promise<ProvisionReport> {
    const s = await this.open(ref);
    if (s.plan.refusal) throw new ProvisioningRefusedError(s.plan.refusal);
    const items: ItemChange[] = [];
    const notes: string[] = [];
    const models = await modelIds(s.client, MODELS);

    const group = groupItem(s.features, s.odoo.uid);
    items.push(await s.records.ensure(group.ref, group.spec));
    items.push(...(await s.records.ensureMany(fieldItems(s.features, s.plan, models))));

    const [shipItem, courierItem, ...otherActions] = actionItems(this.buttonActions(s), models);
    const ensureAction = async (item: typeof shipItem): Promise<number> => {
      const change = await s.records.ensure(item.ref, item.spec);
      items.push(change);
      return change.id!;
    };
    const ship = await ensureAction(shipItem);
    const courier = await ensureAction(courierItem);
    for (const item of otherActions) await ensureAction(item);

    for (const { item } of await this.views(s, { ship, courier })) items.push(await s.records.ensure(item.ref, item.spec));

    if (s.features.automationRules) {
      for (const plan of await this.automations(s, models)) items.push(await this.ensureAutomation(s, plan));
      // Rules of connections that no longer exist (removed or renamed) would post to a dead token.
      const live = new Set([s.connection.name, ...s.siblings.map((x) => x.name)].flatMap(ruleXmlids));
      for (const [xmlid, row] of [...s.records.all()]) {
        if (row.model !== 'base.automation' || live.has(xmlid)) continue;
        items.push({ ...(await s.records.remove(this.refOf(xmlid, row.model))), detail: 'its connection no longer exists' });
      }
    } else notes.push('Automation rules are not available in this database (the base_automation module is not installed): product changes are found by the scheduled jobs alone.');

    notes.push(s.plan.summary);
    if (items.some((i) => i.kind === 'automation rule' && i.change === 'created')) notes.push('The automation rules were created disabled: enable them in Odoo (Settings > Technical > Automation Rules) to notify the connector of product changes at once.');
    return this.report(s, 'provision', items, notes);
  }

  /** Removes what provisioning made (the shared records only when no other connection uses this database). */
  async remove(ref?: string | number): Promise<ProvisionReport> {
    const s = await this.open(ref);
    const items: ItemChange[] = [];
    const notes: string[] = [];
    const mine = new Set(ruleXmlids(s.connection.name));
    const own = (xmlid: string) => mine.has(xmlid);
    const refs = [...s.records.all()].map(([xmlid, row]) => this.refOf(xmlid, row.model));
    const doomed = s.siblings.length ? refs.filter((r) => own(r.xmlid)) : refs;
    const rank = (r: ItemRef) => (REMOVAL_ORDER.includes(r.model) ? REMOVAL_ORDER.indexOf(r.model) : REMOVAL_ORDER.length);
    const groups = new Map<string, ItemRef[]>();
    for (const r of [...doomed].sort((a, b) => rank(a) - rank(b))) groups.set(r.model, [...(groups.get(r.model) ?? []), r]);
    for (const [model, group] of groups) {
      if (model === 'ir.model.fields') items.push(...(await s.records.removeMany(group)));
      else for (const r of group) items.push(await s.records.remove(r));
    }
    if (s.siblings.length) {
      const users = s.siblings.map((x) => `"${x.name}"`).join(', ');
      for (const r of refs.filter((x) => !own(x.xmlid))) items.push({ ...r, change: 'kept', id: s.records.all().get(r.xmlid)?.resId ?? null, detail: `shared with ${users}` });
      notes.push(`Connection ${users} uses the same Odoo database: the fields, views, buttons and group stay. They go with "odoo provision --remove" once no other connection uses this database (remove the others with "connection remove" first).`);
    }
    return this.report(s, 'remove', items, notes);
  }

  // ---------------------------------------------------------------- parts

  /** The button actions for the connections of this database (`withoutSelf`: as if this one were gone). */
  buttonActions(s: Pick<ProvisioningSession, 'connection' | 'siblings'>, withoutSelf = false) {
    const connections = [...(withoutSelf ? [] : [{ name: s.connection.name, companyId: s.connection.odoo.companyId }]), ...s.siblings.map((x) => ({ name: x.name, companyId: x.companyId }))];
    return buttonActions({ publicUrl: this.ctx.config.publicUrl, connections });
  }

  async views(s: ProvisioningSession, actionIds: { ship: number; courier: number }): Promise<ViewPlan[]> {
    const inherits = new Map<string, number | null>();
    for (const xmlid of inheritedViewXmlids()) inherits.set(xmlid, await s.records.lookup(xmlid));
    return viewItems(s.features, actionIds, inherits);
  }

  async automations(s: ProvisioningSession, models: Map<string, number>): Promise<AutomationPlan[]> {
    const url = odooWebhookUrl(this.ctx.config.publicUrl, await odooWebhookToken(this.ctx, s.connection.id));
    return automationItems(s.client, s.connection.name, url, models);
  }

  /** A rule and its inline webhook action (the URL carries the connection's token). */
  private async ensureAutomation(s: ProvisioningSession, plan: AutomationPlan): Promise<ItemChange> {
    const change = await s.records.ensure(plan.item.ref, plan.item.spec);
    if (change.change === 'created') return { ...change, detail: 'created disabled' };
    const rule = await s.records.read('base.automation', change.id!, ['action_server_ids']);
    const actionIds = (rule?.action_server_ids as number[] | undefined) ?? [];
    const webhook = { name: plan.rule.name, model_id: plan.modelId, state: 'webhook', webhook_url: plan.rule.url, webhook_field_ids: [[6, 0, plan.payloadFieldIds]] };
    const actions = actionIds.length ? await s.client.read('ir.actions.server', actionIds, ['state', 'webhook_url', 'webhook_field_ids']) : [];
    const current = actions.find((a) => a.state === 'webhook');
    if (!current) {
      await s.client.write('base.automation', [change.id!], { action_server_ids: [[0, 0, webhook]] });
      return { ...change, change: change.change === 'unchanged' ? 'updated' : change.change, detail: 'webhook action added' };
    }
    const diff = s.records.diff(current, { webhook_url: plan.rule.url, webhook_field_ids: plan.payloadFieldIds });
    if (Object.keys(diff).length) {
      await s.client.write('ir.actions.server', [current.id], diff);
      return { ...change, change: change.change === 'unchanged' ? 'updated' : change.change, detail: `webhook ${Object.keys(diff).join(', ')} changed` };
    }
    return change;
  }

  /** The item an xmlid of ours names, labelled as provisioning labels it. */
  private refOf(xmlid: string, model: string): ItemRef {
    const kind = KIND_BY_MODEL[model] ?? ('record' as ItemKind);
    const field = POLEEPO_FIELDS.find((f) => xmlid === fieldXmlid(f));
    if (field) return fieldRef(field);
    const view = poleepoViews({ listTag: 'list' }, { ship: 0, courier: 0 }).find((v) => v.xmlid === xmlid);
    const action = Object.values(buttonActions({ publicUrl: '', connections: [] })).find((a) => a.xmlid === xmlid);
    const label = xmlid === ADMIN_GROUP_XMLID ? `group "${ADMIN_GROUP_NAME}"`
      : view ? `view ${view.name} (extends ${view.inherit})`
        : action ? `server action "${action.name}"`
          : `${kind} ${xmlid}`;
    return { kind, xmlid, model, label };
  }

  private report(s: ProvisioningSession, mode: ProvisionReport['mode'], items: ItemChange[], notes: string[]): ProvisionReport {
    const counts = emptyCounts();
    for (const i of items) counts[i.change]++;
    return {
      connection: s.connection.name,
      odoo: { url: s.connection.odoo.url, db: s.connection.odoo.db, version: s.odoo.version.serverVersion, transport: s.odoo.kind },
      mode,
      items,
      counts,
      notes,
    };
  }
}
