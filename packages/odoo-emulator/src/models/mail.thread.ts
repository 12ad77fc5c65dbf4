/**
 * Chatter: mail.message rows, `message_post` on records of mail.thread models (a plain body is escaped and wrapped in
 * `<p>`, an HTML body is kept with `body_is_html`; `attachment_ids` are linked to the message and `attachments`
 * (name, content) pairs become attachments of the record), and the notifications Odoo posts itself (order created,
 * confirmed, tracked fields, transfers). The files themselves are ir.attachment (ir.attachment.model.ts).
 */
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
  /** The author's partner when it is not the calling user's (17's procurement runs as the superuser: OdooBot). */
  authorId?: number;
}

/** Posts a message on a record and returns its id. */
export function postMessage(env: Env, model: string, resId: number, opts: PostOptions): number {
  const messages = env.model('mail.message');
  const user = env.user();
  const partnerId = opts.authorId ?? (user.partner_id as number);
  const partner = env.model('res.partner').table.get(partnerId);
  const userName = opts.authorId ? (partner?.name as string | undefined) : env.model('res.users').getter('name')(user, env);
  const email = (partner?.email as string | undefined) ?? (opts.authorId ? undefined : (user.email as string | undefined));
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

/**
 * `_process_attachments_for_post` with `attachment_ids`: every given attachment is linked to the message; those still
 * pending in a composer (`mail.compose.message` / `mail.scheduled.message`, uploaded by this user) move to the
 * record. An attachment already belonging to a record (a label on the picking) stays where it is.
 */
function processAttachmentIds(env: Env, model: string, resId: number, ids: number[]): number[] {
  const attachments = env.model('ir.attachment').table;
  for (const aid of ids) {
    const a = attachments.get(aid);
    if (a && (a.res_model === 'mail.compose.message' || a.res_model === 'mail.scheduled.message') && a.create_uid === env.uid) {
      attachments.update(aid, { res_model: model, res_id: resId, write_date: env.now, write_uid: env.uid });
    }
  }
  return ids;
}

/** `attachments`: (name, content[, info]) with the content not base64 encoded; each becomes an attachment of the record. */
function createPostedAttachments(env: Env, model: string, resId: number, value: unknown): number[] {
  if (!Array.isArray(value)) return [];
  const ids: number[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length < 2 || item.length > 3 || item[1] === null || item[1] === undefined) continue;
    const [name, content] = item as [unknown, unknown];
    const datas = Buffer.from(String(content), 'utf8').toString('base64');
    ids.push(env.model('ir.attachment').createOne(env, { name, datas, type: 'binary', description: name, res_model: model, res_id: resId }));
  }
  return ids;
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
      const attachmentIds = [
        ...processAttachmentIds(c.env, model.name, id, ((k.attachment_ids as unknown[]) ?? []).map(Number)),
        ...createPostedAttachments(c.env, model.name, id, k.attachments),
      ];
      const msgId = postMessage(c.env, model.name, id, {
        body,
        messageType: (k.message_type as string) ?? 'notification',
        subtypeXmlid: (k.subtype_xmlid as string) ?? (k.message_type === 'comment' ? 'mail.mt_comment' : null),
        attachmentIds,
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
