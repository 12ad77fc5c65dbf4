/**
 * Chatter: mail.message rows, `message_post` on records of mail.thread models (a plain body is escaped and wrapped in
 * `<p>`, an HTML body is kept with `body_is_html`), the notifications Odoo posts itself (order created, confirmed,
 * tracked fields) and ir.attachment (size and SHA-1 computed from `datas`).
 */
import { createHash } from 'node:crypto';
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { valueError } from '../errors/odoo.errors.ts';

export interface PostOptions {
  body: string;
  messageType?: string;
  subtypeXmlid?: string | null;
  attachmentIds?: number[];
  partnerIds?: number[];
  trackingValueIds?: number[];
  subject?: string | false;
}

/** Posts a message on a record and returns its id. */
export function postMessage(env: Env, model: string, resId: number, opts: PostOptions): number {
  const messages = env.model('mail.message');
  const user = env.user();
  const partnerId = user.partner_id as number;
  const partner = env.model('res.partner').table.get(partnerId);
  const userName = env.model('res.users').getter('name')(user, env);
  const email = (partner?.email as string | undefined) ?? (user.email as string | undefined);
  const subtypeId = opts.subtypeXmlid ? xmlidResId(env, opts.subtypeXmlid) : opts.messageType === 'comment' ? 1 : false;
  const record = env.model(model).table.get(resId);
  const id = messages.createInternal(env, {
    body: opts.body,
    model,
    res_id: resId,
    record_name: record ? env.model(model).displayName(record, env) : false,
    message_type: opts.messageType ?? 'notification',
    subtype_id: subtypeId || false,
    author_id: partnerId,
    email_from: email ? `"${userName}" <${email}>` : false,
    attachment_ids: [[6, 0, opts.attachmentIds ?? []]],
    partner_ids: [[6, 0, opts.partnerIds ?? []]],
    tracking_value_ids: [[6, 0, opts.trackingValueIds ?? []]],
    subject: opts.subject ?? false,
    date: env.now,
    is_internal: false,
  });
  // Attachments posted with a message belong to the record it was posted on.
  const attachments = env.model('ir.attachment');
  for (const aid of opts.attachmentIds ?? []) if (attachments.table.get(aid)) attachments.table.update(aid, { res_model: model, res_id: resId });
  return id;
}

/** A tracking notification ("Status: Quotation → Sales Order"): an empty-bodied message with tracking value ids. */
export function postTracking(env: Env, model: string, resId: number, subtypeXmlid: string, changes: number): number {
  const tracking = env.model('mail.tracking.value').table;
  const ids: number[] = [];
  for (let i = 0; i < changes; i++) {
    const id = Math.max(env.registry.nextSequence('mail.tracking.value', 1), tracking.nextId);
    tracking.insert({ id, create_date: env.now, write_date: env.now, create_uid: env.uid, write_uid: env.uid });
    ids.push(id);
  }
  const msg = postMessage(env, model, resId, { body: '', messageType: 'notification', subtypeXmlid, trackingValueIds: ids });
  for (const id of ids) tracking.update(id, { mail_message_id: msg });
  return msg;
}

export function xmlidResId(env: Env, xmlid: string): number | false {
  const [module, name] = xmlid.split('.');
  const imd = env.model('ir.model.data');
  for (const id of imd.table.lookup('name', name)) {
    const r = imd.table.get(id)!;
    if (r.module === module) return r.res_id as number;
  }
  throw valueError(`External ID not found in the system: ${xmlid}`);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Adds `message_post` to a mail.thread model. */
export function registerMailThread(model: Model): void {
  const v = model.registry.profile;
  (model as unknown as { method(n: string, s: unknown): void }).method('message_post', {
    api: 'records',
    params: [],
    varKw: true,
    qualname: 'MailThread.message_post',
    impl: (c: { env: Env; ids: number[]; extra: Record<string, unknown> }) => {
      const id = model.ensureOne(c.ids);
      model.ensureExisting(c.env, [id]);
      const k = c.extra;
      const raw = typeof k.body === 'string' ? k.body : '';
      const body = k.body_is_html ? raw : raw ? `<p>${escapeHtml(raw).replace(/\n/g, '<br>')}</p>` : '';
      const msgId = postMessage(c.env, model.name, id, {
        body,
        messageType: (k.message_type as string) ?? 'notification',
        subtypeXmlid: (k.subtype_xmlid as string) ?? (k.message_type === 'comment' ? 'mail.mt_comment' : null),
        attachmentIds: ((k.attachment_ids as number[]) ?? []).map(Number),
        partnerIds: ((k.partner_ids as number[]) ?? []).map(Number),
        subject: (k.subject as string) ?? false,
      });
      return v.recordsAsIdLists ? [msgId] : msgId;
    },
  });
}

export class MailMessage extends Model {
  readonly name = 'mail.message';
  description = 'Message';
  order = 'id desc';

  override defaults(env: Env): Record<string, unknown> {
    return { message_type: 'comment', date: env.now, body: '' };
  }

  override fieldSpecs(): Record<string, FieldSpec> {
    return { tracking_value_ids: { type: 'many2many', relation: 'mail.tracking.value', string: 'Tracking values' } };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    if (field === 'preview') return htmlToText(String(rec.body ?? ''));
    if (field === 'record_name' && rec.record_name === undefined) {
      const model = rec.model as string;
      if (!model || !env.registry.has(model)) return false;
      return env.model(model).displayNameOfId(rec.res_id as number, env);
    }
    if (field === 'tracking_value_ids') return rec.tracking_value_ids ?? [];
    return NOT_COMPUTED;
  }

  override displayName(rec: Rec): string {
    return (rec.record_name as string) || (rec.subject as string) || htmlToText(String(rec.body ?? '')).slice(0, 30);
  }
}

/** Tracking values exist only as ids in messages (their content is not modelled). */
export class MailTrackingValue extends Model {
  readonly name = 'mail.tracking.value';
  description = 'Mail Tracking Value';

  override fieldSpecs(): Record<string, FieldSpec> {
    return { mail_message_id: { type: 'many2one', relation: 'mail.message', string: 'Message ID' } };
  }
}

export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .trim();
}

export class IrAttachment extends Model {
  readonly name = 'ir.attachment';
  description = 'Attachment';
  order = 'id desc';

  override defaults(env: Env): Record<string, unknown> {
    return { type: 'binary', public: false, res_field: false, company_id: env.companyId, access_token: false };
  }

  override hiddenFields(): string[] {
    return [];
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === 'datas') return rec.datas ?? false;
    return NOT_COMPUTED;
  }

  override beforeCreate(_env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    return withFileFacts(vals);
  }

  override beforeWrite(_env: Env, _ids: number[], vals: Record<string, unknown>): Record<string, unknown> {
    return 'datas' in vals ? withFileFacts(vals) : vals;
  }

  override inverse(_env: Env, rec: Rec, name: string, value: unknown): void {
    if (name === 'datas') rec.datas = value;
  }
}

function withFileFacts(vals: Record<string, unknown>): Record<string, unknown> {
  const datas = vals.datas;
  if (typeof datas === 'string' && datas) {
    const bytes = Buffer.from(datas, 'base64');
    vals.file_size = bytes.length;
    vals.checksum = createHash('sha1').update(bytes).digest('hex');
    if (!vals.mimetype) vals.mimetype = sniffMimetype(bytes, vals.name as string | undefined);
  }
  return vals;
}

function sniffMimetype(bytes: Buffer, name?: string): string {
  if (bytes.subarray(0, 4).toString() === '%PDF') return 'application/pdf';
  if (bytes[0] === 0x89 && bytes.subarray(1, 4).toString() === 'PNG') return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (name?.endsWith('.txt')) return 'text/plain';
  return 'application/octet-stream';
}
