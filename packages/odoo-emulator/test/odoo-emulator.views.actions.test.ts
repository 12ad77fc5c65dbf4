/**
 * What the emulator runs and keeps for provisioning besides views: server-action code the way safe_eval runs it
 * (and refuses it), webhook actions posting to a real listener, automation rules with their inline actions, and
 * group members kept on the users — on Odoo 17, 18 and 19.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';

let emu: OdooEmulator | undefined;
let listener: Server | undefined;
afterEach(async () => {
  await emu?.stop();
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
  emu = undefined;
  listener = undefined;
});

function call(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): any {
  return emu!.call(model, method, args, kwargs);
}

function refusal(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { name: (e as { odooName: string }).odooName, message: (e as Error).message };
  }
  throw new Error('expected a refusal');
}

function modelId(model: string): number {
  return call('ir.model', 'search_read', [[['model', '=', model]]], { fields: ['id'] })[0].id;
}

function codeAction(code: string, model = 'res.partner'): number {
  return call('ir.actions.server', 'create', [{ name: 'test', model_id: modelId(model), state: 'code', code }]);
}

for (const version of [17, 18, 19] as const) {
  describe(`server actions, rules and groups on the Odoo ${version} emulator`, () => {
    it('runs code with records, loops, conditions, dicts and % formatting, and returns the action it assigns', async () => {
      emu = await startOdooEmulator({ version });
      const id = codeAction(`# a comment
names = []
total = 0
for partner in records:
    names.append(partner.name)
    total += partner.id
if len(names) > 1:
    kind = 'many'
elif names:
    kind = 'one'
else:
    kind = 'none'
labels = {'many': 'Several', 'one': 'Single'}
record.write({'ref': '%s-%d' % (labels.get(kind, '?'), total)})
action = {'type': 'ir.actions.act_url', 'url': 'https://x.example.com/%s?n=%s' % (record.id, ','.join(names)), 'target': 'self'}
`);
      const [p1, p2] = call('res.partner', 'search', [[]], { limit: 2, order: 'id desc' });
      const result = call('ir.actions.server', 'run', [[id]], { context: { active_model: 'res.partner', active_id: p1, active_ids: [p1, p2] } });
      const names = call('res.partner', 'read', [[p1, p2]], { fields: ['name'] }).map((p: { name: string }) => p.name);
      expect(result).toEqual({ type: 'ir.actions.act_url', url: `https://x.example.com/${p1}?n=${names.join(',')}`, target: 'self' });
      expect(call('res.partner', 'read', [[p1]], { fields: ['ref'] })[0].ref).toBe(`Several-${p1 + p2}`);
      // Another model's context: record and records are None.
      expect(call('ir.actions.server', 'run', [[codeAction('action = record is None and records is None')]], { context: { active_model: 'sale.order', active_id: 1 } })).toBe(true);
    });

    it('refuses what safe_eval refuses, and reports errors the way safe_eval does', async () => {
      emu = await startOdooEmulator({ version });
      expect(refusal(() => codeAction('import os'))).toEqual({ name: 'odoo.exceptions.ValidationError', message: "forbidden opcode(s) in 'import os': IMPORT_NAME" });
      expect(refusal(() => codeAction('x = record.__class__'))).toMatchObject({ name: 'odoo.exceptions.ValidationError', message: "Access to forbidden name '__class__'" });
      expect(refusal(() => codeAction('if True\n    pass'))).toMatchObject({ name: 'odoo.exceptions.ValidationError' });
      const broken = codeAction('value = nope');
      expect(refusal(() => call('ir.actions.server', 'run', [[broken]], { context: { active_model: 'res.partner', active_id: 9, active_ids: [9] } }))).toEqual({
        name: 'builtins.ValueError', message: `<class 'NameError'>: "name 'nope' is not defined" while evaluating\n'value = nope'`,
      });
      const userError = codeAction("raise UserError('Not for %s' % record.name)");
      expect(refusal(() => call('ir.actions.server', 'run', [[userError]], { context: { active_model: 'res.partner', active_id: 9, active_ids: [9] } }))).toMatchObject({ name: 'odoo.exceptions.UserError', message: expect.stringMatching(/^Not for /) });
      // A failed run leaves nothing behind (one transaction per call).
      const half = codeAction("records.write({'ref': 'HALF'})\nraise UserError('stop')");
      refusal(() => call('ir.actions.server', 'run', [[half]], { context: { active_model: 'res.partner', active_id: 9, active_ids: [9] } }));
      expect(call('res.partner', 'read', [[9]], { fields: ['ref'] })[0].ref).not.toBe('HALF');
    });

    it('a webhook action posts the record to its URL and returns false', async () => {
      emu = await startOdooEmulator({ version });
      const received = new Promise<{ path: string; body: string }>((resolve) => {
        listener = createServer((req, res) => {
          let body = '';
          req.on('data', (c) => (body += c));
          req.on('end', () => {
            res.end('ok');
            resolve({ path: req.url ?? '', body });
          });
        });
      });
      await new Promise<void>((resolve) => listener!.listen(0, '127.0.0.1', () => resolve()));
      const port = (listener!.address() as AddressInfo).port;
      const fields = call('ir.model.fields', 'search_read', [[['model', '=', 'res.partner'], ['name', 'in', ['name', 'ref']]]], { fields: ['name'] }).map((f: { id: number }) => f.id);
      const id = call('ir.actions.server', 'create', [{ name: 'Notify', model_id: modelId('res.partner'), state: 'webhook', webhook_url: `http://127.0.0.1:${port}/webhooks/odoo/tok`, webhook_field_ids: [[6, 0, fields]] }]);
      expect(call('ir.actions.server', 'run', [[id]], { context: { active_model: 'res.partner', active_id: 9, active_ids: [9] } })).toBe(false);
      const got = await received;
      expect(got.path).toBe('/webhooks/odoo/tok');
      const name = call('res.partner', 'read', [[9]], { fields: ['name'] })[0].name;
      expect(got.body).toBe(JSON.stringify({ _action: `Notify(#${id})`, _id: 9, _model: 'res.partner', id: 9, name, ref: false }));
    });

    it('automation rules: active by default, inline actions linked (17/18 rename them), deleted with the rule', async () => {
      emu = await startOdooEmulator({ version });
      const product = modelId('product.product');
      const rule = call('base.automation', 'create', [{ name: 'Rule', model_id: product, trigger: 'on_create_or_write', action_server_ids: [[0, 0, { name: 'My webhook', model_id: product, state: 'webhook', webhook_url: 'http://127.0.0.1:9/x' }]] }]);
      const [read] = call('base.automation', 'read', [[rule]], { fields: ['active', 'url', 'webhook_uuid', 'record_getter', 'action_server_ids', 'last_run'] });
      expect(read).toMatchObject({ active: true, url: '', record_getter: "model.env[payload.get('_model')].browse(int(payload.get('_id')))", last_run: false });
      expect(read.webhook_uuid).toMatch(/^[0-9a-f-]{36}$/);
      const [action] = call('ir.actions.server', 'read', [read.action_server_ids], { fields: ['name', 'usage', 'base_automation_id'] });
      expect(action).toMatchObject({ name: version === 19 ? 'My webhook' : 'Send Webhook Notification', usage: 'base_automation', base_automation_id: [rule, 'Rule'] });
      const hook = call('base.automation', 'create', [{ name: 'Hook', model_id: product, trigger: 'on_webhook', active: false }]);
      expect(call('base.automation', 'read', [[hook]], { fields: ['url', 'active'], context: { active_test: false } })[0].url).toMatch(/\/web\/hook\/[0-9a-f-]{36}$/);
      call('base.automation', 'unlink', [[rule, hook]]);
      expect(call('ir.actions.server', 'search', [[['id', 'in', read.action_server_ids]]])).toEqual([]);
    });

    it('fires active create/write rules: on create, on a write of a trigger field, not for other fields nor when inactive', async () => {
      emu = await startOdooEmulator({ version });
      const posts: { _id: number; _model: string; state?: string }[] = [];
      listener = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          posts.push(JSON.parse(body));
          res.end('ok');
        });
      });
      await new Promise<void>((resolve) => listener!.listen(0, '127.0.0.1', () => resolve()));
      const url = `http://127.0.0.1:${(listener!.address() as AddressInfo).port}/hook`;
      const partnerModel = modelId('res.partner');
      const [refField] = call('ir.model.fields', 'search', [[['model', '=', 'res.partner'], ['name', '=', 'ref']]]);
      const rule = call('base.automation', 'create', [{
        name: 'Ref changed', model_id: partnerModel, trigger: 'on_create_or_write', trigger_field_ids: [[6, 0, [refField]]],
        action_server_ids: [[0, 0, { name: 'Notify', model_id: partnerModel, state: 'webhook', webhook_url: url, webhook_field_ids: [[6, 0, [refField]]] }]],
      }]);
      // Odoo posts after the call; on a loaded machine the first request of a process can take a while to arrive.
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const settle = async (expected: number) => {
        const end = Date.now() + 30_000;
        while (posts.length < expected && Date.now() < end) await sleep(20);
        await sleep(100);
      };
      const created = call('res.partner', 'create', [{ name: 'Automated' }]);
      call('res.partner', 'write', [[created], { comment: 'not a trigger' }]);
      call('res.partner', 'write', [[created], { ref: 'R-1' }]);
      call('res.partner', 'write', [[created], { ref: 'R-1' }]); // same value: nothing changed
      await settle(2);
      expect(posts.map((p) => [p._model, p._id, (p as { ref?: unknown }).ref])).toEqual([['res.partner', created, false], ['res.partner', created, 'R-1']]);
      call('base.automation', 'write', [[rule], { active: false }]);
      call('res.partner', 'write', [[created], { ref: 'R-2' }]);
      await sleep(1000); // long enough for a post that should not come
      expect(posts).toHaveLength(2);
    });

    it('group members live on the users; deleting the group takes it off them', async () => {
      emu = await startOdooEmulator({ version });
      const members = version >= 19 ? 'user_ids' : 'users';
      const userGroups = version >= 19 ? 'group_ids' : 'groups_id';
      const before = call('res.users', 'read', [[2]], { fields: [userGroups, 'write_date'] })[0];
      const group = call('res.groups', 'create', [{ name: 'Poleepo Test', [members]: [[4, 2]] }]);
      expect(call('res.groups', 'read', [[group]], { fields: [members, 'full_name'] })[0]).toMatchObject({ [members]: [2], full_name: 'Poleepo Test' });
      const during = call('res.users', 'read', [[2]], { fields: [userGroups, 'write_date'] })[0];
      expect(during[userGroups]).toContain(group);
      expect(during.write_date).toBe(before.write_date);
      call('res.groups', 'unlink', [[group]]);
      expect(call('res.users', 'read', [[2]], { fields: [userGroups] })[0][userGroups]).toEqual(before[userGroups]);
    });
  });
}
