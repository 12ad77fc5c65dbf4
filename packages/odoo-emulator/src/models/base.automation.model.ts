/**
 * base.automation (automation rules) as recorded in flow h: `active` on by default, a `webhook_uuid`, the default
 * `record_getter`, `url` only for `on_webhook` rules; actions given inline (`action_server_ids: [[0, 0, {...}]]`)
 * become server actions of usage `base_automation` linked to the rule (17/18 rename them after their type, 19 keeps
 * the name) and are deleted with it. Active create/write rules fire after a create or a write of their model, as
 * base_automation's hooks do: a create always, a write when one of the trigger fields changed (any field when the
 * rule names none); their server actions run with the records as `active_ids` (webhooks post after the call).
 */
import { randomUUID } from 'node:crypto';
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';

const RECORD_GETTER = "model.env[payload.get('_model')].browse(int(payload.get('_id')))";

export class BaseAutomation extends Model {
  readonly name = 'base.automation';
  description = 'Automation Rule';
  order = 'id';
  override cascade = ['action_server_ids'];
  protected override aclDenied = { write: true, create: true, unlink: true };

  override defaults(): Record<string, unknown> {
    return { active: true, webhook_uuid: () => randomUUID(), record_getter: RECORD_GETTER, log_webhook_calls: false };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'model_name':
        return env.model('ir.model').table.get(rec.model_id as number)?.model ?? false;
      case 'url':
        return rec.trigger === 'on_webhook' ? `http://localhost:8069/web/hook/${String(rec.webhook_uuid)}` : '';
      case 'model_is_mail_thread':
        return false;
      case 'least_delay_msg':
        return false;
    }
    return NOT_COMPUTED;
  }

  /** Rules currently running, so that an action writing the same model does not fire its own rule again. */
  private readonly running = new Set<number>();

  fire(env: Env, modelName: string, changed: Map<number, Set<string> | null>): void {
    if (this.table.rows.size === 0) return;
    const [modelId] = env.model('ir.model').table.lookup('model', modelName);
    if (modelId === undefined) return;
    const fields = env.model('ir.model.fields');
    for (const ruleId of [...this.table.lookup('model_id', modelId)]) {
      const rule = this.table.get(ruleId);
      if (!rule || !rule.active || this.running.has(ruleId)) continue;
      const triggers = ((rule.trigger_field_ids as number[] | undefined) ?? []).map((id) => String(fields.table.get(id)?.name ?? ''));
      const ids = [...changed].filter(([, names]) => {
        if (names === null) return rule.trigger === 'on_create_or_write' || rule.trigger === 'on_create';
        if (rule.trigger !== 'on_create_or_write' && rule.trigger !== 'on_write') return false;
        return triggers.length === 0 || triggers.some((t) => names.has(t));
      }).map(([id]) => id);
      if (!ids.length) continue;
      this.running.add(ruleId);
      try {
        const actionEnv = env.sudo().withContext({ active_model: modelName, active_ids: ids, active_id: ids[0] });
        const actions = env.model('ir.actions.server') as unknown as Model & { run(env: Env, ids: number[]): unknown };
        actions.run(actionEnv, [...actions.table.lookup('base_automation_id', ruleId)].sort((a, b) => a - b));
      } finally {
        this.running.delete(ruleId);
      }
    }
  }

  override afterCreate(env: Env, id: number): void {
    this.linkActions(env, id);
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    if ('action_server_ids' in vals) for (const id of ids) this.linkActions(env, id);
  }

  /** The rule's actions: usage base_automation; 17/18 name them after their type. */
  private linkActions(env: Env, id: number): void {
    const actions = env.model('ir.actions.server');
    const stateField = actions.fields.get('state');
    for (const actionId of actions.table.lookup('base_automation_id', id)) {
      const action = actions.table.get(actionId)!;
      const changes: Record<string, unknown> = {};
      if (action.usage !== 'base_automation') changes.usage = 'base_automation';
      if (env.profile.major <= 18) {
        const label = stateField?.selection?.find(([value]) => value === action.state)?.[1];
        if (label && action.name !== label) changes.name = label;
      }
      if (Object.keys(changes).length) actions.table.update(actionId, changes);
    }
  }
}
