/**
 * ir.actions.server as recorded (flow h): defaults (`type`, `usage`, `binding_type`, `binding_view_types`, the
 * `code` template of 17/18, nothing in 19), `model_name`, `xml_id`, the webhook sample; the code is checked when
 * saved (what `safe_eval` would not compile is refused) and `run()` executes it with Odoo's evaluation context
 * (`env`, `model`, `record`, `records`, `datetime`, `time`, `UserError`...), returning the `action` it assigns, or
 * false. A webhook action POSTs `{_action, _id, _model, <fields>}` to its URL after the call, with a 1-second
 * timeout and no retry, and returns false, as Odoo does.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { OdooError, accessError, validationError } from '../errors/odoo.errors.ts';
import { base64Functions, compilePy, PyCompileError, PyError, PyInterpreter, pyBuiltins, type PyObject, type PyValue } from '../actions/py.ts';
import { datetimeModule, EnvObject, Recordset, safeEvalError, timeModule, toJs, userErrorClass } from '../actions/py.odoo.ts';
import { PyFunction } from '../actions/py.ts';

const CODE_TEMPLATE_17 = "# Available variables:\n#  - env: environment on which the action is triggered\n#  - model: model of the record on which the action is triggered; is a void recordset\n#  - record: record on which the action is triggered; may be void\n#  - records: recordset of all records on which the action is triggered in multi-mode; may be void\n#  - time, datetime, dateutil, timezone: useful Python libraries\n#  - float_compare: utility function to compare floats based on specific precision\n#  - log: log(message, level='info'): logging function to record debug information in ir.logging table\n#  - _logger: _logger.info(message): logger to emit messages in server logs\n#  - UserError: exception class for raising user-facing warning messages\n#  - Command: x2many commands namespace\n# To return an action, assign: action = {...}\n\n\n\n";
const CODE_TEMPLATE_18 = CODE_TEMPLATE_17.replace('#  - log:', '#  - b64encode, b64decode: functions to encode/decode binary data\n#  - log:');

/** `_logger` of the evaluation context: accepts the usual calls, keeps nothing. */
function loggerProxy(): PyObject {
  const noop = (name: string) => new PyFunction(name, () => null);
  return { pyType: 'LoggerProxy', getattr: (name) => (['info', 'warning', 'error', 'debug', 'exception'].includes(name) ? noop(name) : undefined) };
}

export class IrActionsServer extends Model {
  readonly name = 'ir.actions.server';
  description = 'Server Actions';
  order = 'sequence,name';
  protected override aclDenied = { write: true, create: true, unlink: true };

  private get groupsField(): string {
    return this.fields.has('group_ids') ? 'group_ids' : 'groups_id';
  }

  override defaults(): Record<string, unknown> {
    const major = this.registry.profile.major;
    const d: Record<string, unknown> = {
      type: 'ir.actions.server', usage: 'ir_actions_server', binding_type: 'action', binding_view_types: 'list,form',
      state: 'object_write', sequence: 5,
    };
    if (major === 17) d.code = CODE_TEMPLATE_17;
    else if (major === 18) d.code = CODE_TEMPLATE_18;
    return d;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'model_name':
        return env.model('ir.model').table.get(rec.model_id as number)?.model ?? false;
      case 'xml_id': {
        const imd = env.model('ir.model.data');
        for (const id of imd.table.lookup('model', this.name)) {
          const d = imd.table.get(id)!;
          if (d.res_id === rec.id) return `${d.module}.${d.name}`;
        }
        return '';
      }
      case 'webhook_sample_payload':
        return rec.state === 'webhook' ? this.samplePayload(env, rec) : false;
      case 'available_model_ids':
        return [];
    }
    return NOT_COMPUTED;
  }

  private samplePayload(env: Env, rec: Rec): string {
    const modelName = env.model('ir.model').table.get(rec.model_id as number)?.model as string | undefined;
    if (!modelName || !env.registry.has(modelName)) return '{}';
    const target = env.model(modelName);
    const sampleId = target.search(env, [], { limit: 1 })[0];
    const payload: Record<string, unknown> = { _action: `${String(rec.name)}(#${rec.id})`, _id: sampleId ?? false, _model: modelName };
    if (env.profile.major === 17) {
      delete payload._action;
      delete payload._id;
      payload._name = rec.name;
    }
    Object.assign(payload, this.webhookValues(env, rec, target, sampleId));
    if (env.profile.major === 17) payload.id = sampleId ?? false;
    const sorted = Object.fromEntries(Object.keys(payload).sort().map((k) => [k, payload[k]]));
    return JSON.stringify(sorted, null, 4);
  }

  /** The selected fields of a record, read with `load=None` (many2one as ids). */
  private webhookValues(env: Env, rec: Rec, target: Model, id: number | undefined): Record<string, unknown> {
    const fieldIds = (rec.webhook_field_ids as number[] | undefined) ?? [];
    const names = fieldIds.map((f) => env.model('ir.model.fields').table.get(f)?.name as string | undefined).filter((n): n is string => Boolean(n && target.fields.has(n)));
    if (id === undefined) return {};
    const [row] = target.read(env, [id], ['id', ...names], null);
    return row ?? {};
  }

  override checkConstraints(_env: Env, ids: number[]): void {
    for (const id of ids) {
      const rec = this.table.get(id)!;
      if (rec.state !== 'code' || typeof rec.code !== 'string') continue;
      try {
        compilePy(rec.code.trim());
      } catch (error) {
        if (error instanceof PyCompileError) throw validationError(error.message);
        throw error;
      }
    }
  }

  protected override registerMethods(): void {
    this.method('run', { api: 'records', params: [], qualname: 'IrActionsServer.run', impl: (c) => this.run(c.env, c.ids) });
  }

  run(env: Env, ids: number[]): unknown {
    let result: unknown = false;
    for (const id of ids) {
      const action = this.table.get(id);
      if (!action) throw this.missingRecords(env, [id]);
      const groups = (action[this.groupsField] as number[] | undefined) ?? [];
      if (groups.length) {
        const user = env.user();
        const mine = ((user.groups_id ?? user.group_ids) as number[] | undefined) ?? [];
        if (!groups.some((g) => mine.includes(g))) throw accessError("You don't have enough access rights to run this action.");
      }
      const modelName = env.model('ir.model').table.get(action.model_id as number)?.model as string;
      const target = env.model(modelName);
      target.checkAccess(env, 'write');
      const ctx = env.context;
      const record = ctx.active_model === modelName && ctx.active_id ? new Recordset(env, target, [Number(ctx.active_id)]) : null;
      const records = ctx.active_model === modelName && Array.isArray(ctx.active_ids) && ctx.active_ids.length ? new Recordset(env, target, (ctx.active_ids as unknown[]).map(Number)) : null;
      if (action.state === 'code') result = this.runCode(env, action, target, record, records);
      else if (action.state === 'webhook') result = this.runWebhook(env, action, target, record, records);
      else if (action.state === 'multi') {
        const children = ((action.child_ids as number[] | undefined) ?? []);
        for (const child of children) result = this.run(env, [child]) || result;
      } else throw new OdooError('builtins.NotImplementedError', `the Odoo emulator does not run server actions of type ${String(action.state)}`);
    }
    return result ?? false;
  }

  private runCode(env: Env, action: Rec, target: Model, record: Recordset | null, records: Recordset | null): unknown {
    const code = String(action.code ?? '').trim();
    let program;
    try {
      program = compilePy(code);
    } catch (error) {
      if (error instanceof PyCompileError) throw validationError(error.message);
      throw error;
    }
    const [b64encode, b64decode] = base64Functions();
    const scope = new Map<string, PyValue>([
      ['env', new EnvObject(env)], ['model', new Recordset(env, target, [])], ['record', record], ['records', records],
      ['uid', env.uid], ['user', new Recordset(env, env.model('res.users'), [env.uid])],
      ['datetime', datetimeModule(env.nowMs)], ['time', timeModule(env.nowMs)], ['UserError', userErrorClass()],
      ['log', new PyFunction('log', () => null)], ['_logger', loggerProxy()], ['b64encode', b64encode], ['b64decode', b64decode],
    ]);
    try {
      new PyInterpreter(scope, pyBuiltins()).run(program);
    } catch (error) {
      if (error instanceof PyError) throw safeEvalError(error, code);
      throw error;
    }
    const action2 = scope.get('action');
    return action2 === undefined || action2 === null ? false : toJs(action2);
  }

  private runWebhook(env: Env, action: Rec, target: Model, record: Recordset | null, records: Recordset | null): false {
    const url = String(action.webhook_url ?? '');
    const ids = records?.ids ?? record?.ids ?? [];
    for (const id of ids) {
      const payload: Record<string, unknown> = { _action: `${String(action.name)}(#${action.id})`, _id: id, _model: target.name, ...this.webhookValues(env, action, target, id) };
      const body = JSON.stringify(Object.fromEntries(Object.keys(payload).sort().map((k) => [k, payload[k]])));
      // Odoo sends after the transaction commits, waits 1 s at most and only logs failures.
      setImmediate(() => {
        fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      });
    }
    return false;
  }
}
