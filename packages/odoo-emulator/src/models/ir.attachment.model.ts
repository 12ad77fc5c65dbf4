/**
 * ir.attachment: files given as base64 `datas` (or `raw` content: text, or bytes from server-action code), kept in the record. Odoo derives `file_size`, the
 * SHA-1 `checksum` and, when the caller gives none, the `mimetype` (from the name's extension, then from the
 * content's magic bytes, else `application/octet-stream`, as `ir.attachment._compute_mimetype` does); `res_name`
 * names the record the file belongs to. Search by res_model / res_id / name and unlink are the ORM's.
 */
import { createHash } from 'node:crypto';
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';

export class IrAttachment extends Model {
  readonly name = 'ir.attachment';
  description = 'Attachment';
  order = 'id desc';

  override defaults(env: Env): Record<string, unknown> {
    return { type: 'binary', public: false, res_field: false, company_id: env.companyId, access_token: false };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'datas':
        return rec.datas ?? false;
      case 'raw':
        return rec.datas ?? false;
      case 'res_name': {
        const model = rec.res_model as string;
        if (!model || !rec.res_id || !env.registry.has(model)) return false;
        return env.model(model).displayNameOfId(rec.res_id as number, env);
      }
      case 'local_url':
        return `/web/content/${rec.id}?unique=${rec.checksum ?? ''}`;
      default:
        return NOT_COMPUTED;
    }
  }

  override beforeCreate(_env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    return withFileFacts(vals);
  }

  override beforeWrite(_env: Env, _ids: number[], vals: Record<string, unknown>): Record<string, unknown> {
    return 'datas' in vals || 'raw' in vals ? withFileFacts(vals) : vals;
  }

  /** `datas` and `raw` are not stored as such: they fill the record's content. */
  override inverse(_env: Env, rec: Rec, name: string, value: unknown): void {
    if (name === 'datas') rec.datas = value;
  }
}

/** Size, checksum and (when not given) mimetype of the content, as Odoo computes them on create and write. */
function withFileFacts(vals: Record<string, unknown>): Record<string, unknown> {
  // Server-action code passes Python bytes: `raw` the content itself, `datas` its base64 text.
  if (Buffer.isBuffer(vals.raw) && !('datas' in vals)) vals.datas = vals.raw.toString('base64');
  if (typeof vals.raw === 'string' && !('datas' in vals)) vals.datas = Buffer.from(vals.raw, 'utf8').toString('base64');
  if (Buffer.isBuffer(vals.datas)) vals.datas = vals.datas.toString('latin1');
  delete vals.raw;
  const datas = vals.datas;
  if (typeof datas === 'string' && datas) {
    const bytes = Buffer.from(datas, 'base64');
    vals.file_size = bytes.length;
    vals.checksum = createHash('sha1').update(bytes).digest('hex');
    if (!vals.mimetype) vals.mimetype = guessMimetype(vals.name, vals.url, bytes);
  } else if (!vals.mimetype && (vals.name || vals.url)) {
    vals.mimetype = guessMimetype(vals.name, vals.url, null);
  }
  if (typeof vals.mimetype === 'string') vals.mimetype = vals.mimetype.toLowerCase();
  return vals;
}

/** Python's `mimetypes.guess_type` for the extensions a shop exchanges (the standard table's values). */
const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', jpe: 'image/jpeg', gif: 'image/gif',
  bmp: 'image/bmp', webp: 'image/webp', svg: 'image/svg+xml', tif: 'image/tiff', tiff: 'image/tiff', ico: 'image/vnd.microsoft.icon',
  txt: 'text/plain', csv: 'text/csv', html: 'text/html', htm: 'text/html', xml: 'text/xml', json: 'application/json',
  zip: 'application/zip', gz: 'application/gzip', doc: 'application/msword', xls: 'application/vnd.ms-excel',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet', eml: 'message/rfc822',
};

/** `_compute_mimetype`: the name's extension, then the URL's, then the content (`guess_mimetype`). */
export function guessMimetype(name: unknown, url: unknown, bytes: Buffer | null): string {
  const fromName = (s: unknown) => {
    if (typeof s !== 'string') return null;
    const m = /\.([A-Za-z0-9]+)$/.exec(s.split('?')[0]);
    return m ? BY_EXTENSION[m[1].toLowerCase()] ?? null : null;
  };
  const guessed = fromName(name) ?? fromName(url);
  if (guessed && guessed !== 'application/octet-stream') return guessed;
  return (bytes && sniff(bytes)) || 'application/octet-stream';
}

/** `odoo.tools.mimetypes.guess_mimetype`: magic numbers of the formats it knows. */
function sniff(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 16);
  if (head.subarray(0, 4).toString('latin1') === '%PDF') return 'application/pdf';
  if (head[0] === 0x89 && head.subarray(1, 4).toString('latin1') === 'PNG') return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (head.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'application/zip';
  const text = bytes.subarray(0, 1024).toString('utf8').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) return 'image/svg+xml';
  return null;
}
