/**
 * `/json/2/<model>/<method>` (Odoo 19's JSON-2): bearer API key, optional `X-Odoo-Database`, a JSON object of named
 * parameters (`ids` and `context` reserved), the bare result on success and `{name, message, arguments, context,
 * debug}` with the HTTP status of the error class otherwise. 18 redirects these paths to the login page (303) and
 * 17 answers its 404 page, as recorded.
 */
import type { EmulatorContext } from './context.ts';
import { destroyReply, htmlReply, json2Error, jsonReply, SERVER_ERROR_500, type Reply } from './replies.ts';
import { OdooError, werkzeug } from '../errors/odoo.errors.ts';
import { json2BadType19, noDatabase19, notFound17 } from './html.pages.ts';

export interface Json2Request {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export async function handleJson2(ctx: EmulatorContext, req: Json2Request): Promise<Reply> {
  const profile = ctx.registry.profile;
  if (profile.json2 === 'not-found') return htmlReply(404, notFound17, {}, 'text/html;charset=utf-8');
  if (profile.json2 === 'redirect') {
    const target = `/web/login?redirect=${encodeURIComponent(`${req.path}?`)}`;
    const html = `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${target}">${target}</a>. If not, click the link.\n`;
    return htmlReply(303, html, { Location: target });
  }
  try {
    const m = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (req.method !== 'POST' || !m) throw werkzeug('NotFound', 'Did you mean POST /json/2/<model>/<method>?');
    const database = req.headers['x-odoo-database'];
    if (database !== undefined && database !== ctx.registry.db) return htmlReply(404, noDatabase19);
    const contentType = req.headers['content-type'] ?? '';
    if (req.body.length && !contentType.toLowerCase().startsWith('application/json')) return htmlReply(415, json2BadType19);
    const uid = authenticate(ctx, req.headers);
    let payload: unknown = {};
    if (req.body.length) {
      try {
        payload = JSON.parse(req.body);
      } catch {
        throw werkzeug('BadRequest', `could not parse the body as json: ${pythonJsonError(req.body)}`);
      }
    }
    const body = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
    const { ids, ...named } = body;
    return await ctx.runner.run({
      transport: 'json2', uid, model: decodeURIComponent(m[1]), method: decodeURIComponent(m[2]), args: [], kwargs: named, ids, hasIds: 'ids' in body,
    }, (outcome) => {
      switch (outcome.kind) {
        case 'result':
          return jsonReply(200, outcome.value === undefined ? null : outcome.value);
        case 'error':
          return json2Error(profile, outcome.error);
        case 'http500':
          return htmlReply(500, SERVER_ERROR_500);
        default:
          return destroyReply();
      }
    });
  } catch (error) {
    if (error instanceof OdooError) return json2Error(profile, error);
    throw error;
  }
}

function authenticate(ctx: EmulatorContext, headers: Record<string, string | undefined>): number {
  const auth = headers.authorization;
  if (!auth) {
    if (headers.cookie && ctx.sessionUid(headers.cookie) !== null) {
      const interactive = headers['sec-fetch-dest'] === 'document';
      if (interactive) return ctx.sessionUid(headers.cookie)!;
      throw werkzeug('Unauthorized', 'Missing "Authorization" or Sec-headers for interactive usage.');
    }
    throw werkzeug('Unauthorized', 'User not authenticated, use an API Key with a Bearer Authorization header.');
  }
  const m = /^bearer\s+(.+)$/i.exec(auth.trim());
  if (!m) throw werkzeug('Unauthorized', 'User not authenticated, use an API Key with a Bearer Authorization header.');
  const uid = ctx.registry.keyOwner(m[1].trim());
  if (uid === null) throw werkzeug('Unauthorized', 'Invalid apikey');
  return uid;
}

/** Python's json error text for a body JSON.parse refused ("Expecting value: line 1 column 13 (char 12)"). */
export function pythonJsonError(text: string): string {
  let pos = text.length;
  try {
    JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String((e as Error).message));
    if (m) pos = Number(m[1]);
  }
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  return `Expecting value: line ${line} column ${column} (char ${pos})`;
}
