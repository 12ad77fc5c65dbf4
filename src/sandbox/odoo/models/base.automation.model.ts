/**
 * base.automation (automation rules) as recorded in flow h: `active` on by default, a `webhook_uuid`, the default
 * `record_getter`, `url` only for `on_webhook` rules; actions given inline (`action_server_ids: [[0, 0, {...}]]`)
 * become server actions of usage `base_automation` linked to the rule (17/18 rename them after their type, 19 keeps
 * the name) and are deleted with it. The emulator stores rules; it does not fire them on record changes.
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
