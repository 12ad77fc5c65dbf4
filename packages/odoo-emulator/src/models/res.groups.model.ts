/**
 * res.groups with what provisioning uses: members (`users` in 17/18, `user_ids` in 19 — Odoo's own names; the
 * recordings hold no fields_get of res.groups), implied groups and a comment. Membership is kept on the users
 * (`groups_id` / `group_ids`, as the recordings read it); writing members on a group changes only that relation,
 * like Odoo's relation table (the users' write_date stays). Deleting a group removes it from its users.
 */
import { ResGroups } from './base.models.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { Field, FieldSpec } from '../orm/fields.ts';
import { NOT_COMPUTED } from '../orm/model.ts';

export class ResGroupsWithMembers extends ResGroups {
  protected override aclDenied = { write: true, create: true, unlink: true };

  /** The members field of this version. */
  get membersField(): 'users' | 'user_ids' {
    return this.registry.profile.major >= 19 ? 'user_ids' : 'users';
  }

  private userGroupsField(): string {
    return this.registry.model('res.users').fields.has('group_ids') ? 'group_ids' : 'groups_id';
  }

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      ...super.fieldSpecs(),
      [this.registry.profile.major >= 19 ? 'user_ids' : 'users']: { type: 'many2many', relation: 'res.users', string: 'Users' },
      implied_ids: { type: 'many2many', relation: 'res.groups', string: 'Inherits' },
      comment: { type: 'text', string: 'Comment' },
      share: { type: 'boolean', string: 'Share Group' },
    };
  }

  override defaults(): Record<string, unknown> {
    return { share: false };
  }

  membersOf(groupId: number): number[] {
    const gf = this.userGroupsField();
    return [...this.registry.store.table('res.users').rows.values()]
      .filter((u) => ((u[gf] as number[] | undefined) ?? []).includes(groupId))
      .map((u) => u.id);
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === this.membersField) return this.membersOf(rec.id);
    if (field === 'full_name') return rec.full_name ?? rec.name;
    return NOT_COMPUTED;
  }

  override applyX2many(env: Env, rec: Rec, field: Field, value: unknown, creating: boolean): void {
    if (field.name !== this.membersField) return super.applyX2many(env, rec, field, value, creating);
    const before = creating ? [] : this.membersOf(rec.id);
    let members = [...before];
    const commands = Array.isArray(value) && value.every((v) => typeof v === 'number') ? [[6, 0, value]] : (value as unknown[]) ?? [];
    for (const c of commands) {
      const [op, id, arg] = c as [number, number, unknown];
      if (op === 4 && !members.includes(id)) members.push(id);
      else if (op === 3 || op === 2) members = members.filter((m) => m !== id);
      else if (op === 5) members = [];
      else if (op === 6) members = [...new Set(((arg as number[]) ?? []).map(Number))];
    }
    const users = this.registry.store.table('res.users');
    const gf = this.userGroupsField();
    for (const uid of new Set([...before, ...members])) {
      const user = users.get(uid);
      if (!user) continue;
      const groups = ((user[gf] as number[] | undefined) ?? []).filter((g) => g !== rec.id);
      if (members.includes(uid)) groups.push(rec.id);
      users.update(uid, { [gf]: groups });
    }
  }

  override beforeUnlink(_env: Env, ids: number[]): void {
    const users = this.registry.store.table('res.users');
    const gf = this.userGroupsField();
    for (const user of [...users.rows.values()]) {
      const groups = (user[gf] as number[] | undefined) ?? [];
      if (groups.some((g) => ids.includes(g))) users.update(user.id, { [gf]: groups.filter((g) => !ids.includes(g)) });
    }
    for (const group of [...this.table.rows.values()]) {
      const implied = (group.implied_ids as number[] | undefined) ?? [];
      if (implied.some((g) => ids.includes(g))) this.table.update(group.id, { implied_ids: implied.filter((g) => !ids.includes(g)) });
    }
  }
}
