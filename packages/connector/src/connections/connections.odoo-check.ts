import { OdooClient } from '../odoo/odoo.client.ts';
import {
  OdooAccessError, OdooAuthError, OdooDatabaseError, OdooNotFoundError, OdooTransportError, isOdooError,
} from '../odoo/odoo.errors.ts';
import type { ConnectionCheck, ConnectionCheckOutcome } from './connections.checks.ts';
import { buildOdooClient } from './connections.odoo.ts';
import type { ConnectionCheckResult, ConnectionView } from './connections.types.ts';

/** Models the connector reads or writes, with the rights it needs on each (and the Odoo app that provides it). */
export const REQUIRED_RIGHTS: { model: string; operations: ('read' | 'write' | 'create')[]; app: string }[] = [
  { model: 'product.template', operations: ['read', 'write'], app: 'Sales' },
  { model: 'product.product', operations: ['read', 'write'], app: 'Sales' },
  { model: 'product.category', operations: ['read'], app: 'Sales' },
  { model: 'account.tax', operations: ['read'], app: 'Invoicing' },
  { model: 'stock.quant', operations: ['read'], app: 'Inventory' },
  { model: 'res.partner', operations: ['read', 'create', 'write'], app: 'Contacts' },
  { model: 'sale.order', operations: ['read', 'create', 'write'], app: 'Sales' },
  { model: 'sale.order.line', operations: ['read', 'create'], app: 'Sales' },
  { model: 'stock.picking', operations: ['read', 'write'], app: 'Inventory' },
  { model: 'account.move', operations: ['read'], app: 'Invoicing' },
  { model: 'ir.attachment', operations: ['read', 'create'], app: 'Discuss' },
];

const OLDEST_SUPPORTED = 17;
const NEWEST_SUPPORTED = 19;
const DAY = 86_400_000;

/**
 * The Odoo side of `connection test`: can we reach and authenticate, which version and transport, is the company
 * there and allowed to the API user, may the user read and write what the connector uses, and when does the key
 * expire (18+). Changes nothing in Odoo.
 */
export const checkOdooSide: ConnectionCheck = Object.assign(async ({ ctx, connection, secrets, signal }: Parameters<ConnectionCheck>[0]): Promise<ConnectionCheckOutcome> => {
  const checks: ConnectionCheckResult[] = [];
  const add = (name: string, status: ConnectionCheckResult['status'], detail: string) => checks.push({ system: 'odoo', name, status, detail });
  const { url, db, login, companyId } = connection.odoo;
  // Without a company in the context first, to tell "company not allowed" apart from other refusals.
  const plain = buildOdooClient(ctx, { ...connection.odoo, id: connection.id, companyId: null, settings: connection.settings }, secrets.odooApiKey);

  let session;
  try {
    session = await plain.connect({ signal });
  } catch (error) {
    add('connection', 'fail', reachVerdict(error, connection, ctx.clock.now()));
    for (const name of ['version', 'company', 'rights', 'api key expiry']) add(name, 'skipped', 'not checked: Odoo could not be reached with these credentials');
    return { checks };
  }
  const transportWords = session.kind === 'json2' ? 'JSON-2' : 'JSON-RPC';
  add('connection', 'ok', `Odoo at ${url} answers over ${transportWords}; database "${db}", login "${login}" is user id ${session.uid}`);
  const facts: ConnectionCheckOutcome['odooFacts'] = { version: session.version.serverVersion, transport: session.kind };

  const major = session.version.major;
  if (major < OLDEST_SUPPORTED) add('version', 'fail', `Odoo ${versionWords(session.version.serverVersion)} is older than 17, the oldest version the connector supports`);
  else if (major > NEWEST_SUPPORTED) add('version', 'warn', `Odoo ${versionWords(session.version.serverVersion)} is newer than the versions the connector was tested with (17–19); field differences are detected, but check the first exports`);
  else if (major >= 19 && session.kind === 'jsonrpc') add('version', 'warn', `Odoo ${versionWords(session.version.serverVersion)} over JSON-RPC, which Odoo 19 deprecates: set the transport to auto or json2`);
  else add('version', 'ok', `Odoo ${versionWords(session.version.serverVersion)}${session.version.saas ? ' (Odoo Online)' : ''}, supported`);

  const companyOk = await checkCompany(plain, session.uid, companyId, add);

  const scoped = companyOk && companyId ? buildOdooClient(ctx, { ...connection.odoo, id: connection.id, settings: connection.settings }, secrets.odooApiKey) : plain;
  await checkRights(scoped, add);
  facts.apiKeyExpiresAt = await checkKeyExpiry(plain, connection, ctx.clock.now(), add);
  try {
    const caps = await scoped.capabilities();
    add('fields', 'ok', `field names detected: storable products by ${caps.storable.field}, tax included by ${caps.taxPriceIncludeField}, order line taxes ${caps.orderLineTaxField}, packages ${caps.packageModel}`);
  } catch (error) {
    add('fields', 'warn', `could not read the field lists the connector adapts to: ${odooFailureWords(error)}`);
  }
  return { checks, odooFacts: facts };
}, { system: 'odoo', checkName: 'odoo' });

/**
 * A failed call in the connector's own words: the kind of error, the HTTP status, a network error code, Odoo's
 * exception class. Never text from the reply: the URL under test may point anywhere (an internal service), and a
 * verdict must not become a way to read what it answers.
 */
export function odooFailureWords(error: unknown): string {
  if (error instanceof OdooTransportError) {
    if (error.timedOut) return 'no answer in time';
    const code = /\b(E[A-Z]{3,}|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_[A-Z_]+|SELF_SIGNED_[A-Z_]+|ERR_[A-Z_]+)\b/.exec(error.odooMessage)?.[1];
    if (error.httpStatus) return `HTTP ${error.httpStatus}, no usable answer`;
    return code ? `no connection: ${code}` : 'no usable answer';
  }
  if (isOdooError(error)) {
    const name = error.exceptionName && /^[A-Za-z_][\w.]{0,99}$/.test(error.exceptionName) ? error.exceptionName : null;
    const status = error.httpStatus ? `HTTP ${error.httpStatus}` : null;
    const what = [name, status].filter(Boolean).join(', ');
    return `it answered with an error${what ? ` (${what})` : ''}; the API log has the call`;
  }
  return `the connector failed (${error instanceof Error ? error.name : 'unknown error'})`;
}

/** A version string as Odoo gives it ("18.0", "saas~18.2+e"); anything else is not shown. */
function versionWords(version: string): string {
  return /^[\w.+~-]{1,40}$/.test(version) ? version : '(unreadable version)';
}

function reachVerdict(error: unknown, connection: ConnectionView, now: number): string {
  const { url, db, login } = connection.odoo;
  if (error instanceof OdooAuthError) {
    // Odoo 18+ refuses an expired key like a wrong one: say so when the last test saw its expiry date pass.
    const expired = connection.odoo.apiKeyExpiresAt !== null && connection.odoo.apiKeyExpiresAt <= now
      ? ` The API key expired on ${new Date(connection.odoo.apiKeyExpiresAt).toISOString().slice(0, 10)}.` : '';
    return `Odoo refused login "${login}" with this API key on database "${db}": check the login (the user's e-mail or login name) and create a new API key in Odoo (avatar > My Profile/Preferences > Account Security > New API Key).${expired}`;
  }
  if (error instanceof OdooDatabaseError) return `There is no database "${db}" on ${url}: check the database name (Odoo Online: the part of the address before .odoo.com)`;
  if (error instanceof OdooNotFoundError) return `${url} does not answer like an Odoo server (no JSON-RPC or JSON-2 API there): check the address`;
  if (error instanceof OdooTransportError) return `Could not reach Odoo at ${url} (${odooFailureWords(error)}): check the address and that the server is up`;
  if (isOdooError(error)) return `${url} is not an Odoo this connector can use: ${odooFailureWords(error)}`;
  return `Could not talk to Odoo at ${url}: ${odooFailureWords(error)}`;
}

async function checkCompany(client: OdooClient, uid: number, companyId: number | null, add: (n: string, s: ConnectionCheckResult['status'], d: string) => void): Promise<boolean> {
  try {
    const [user] = await client.read<{ id: number; company_id: [number, string] | false; company_ids: number[] }>('res.users', [uid], ['company_id', 'company_ids']);
    if (!user) {
      add('company', 'fail', `The API user (id ${uid}) cannot read its own user record`);
      return false;
    }
    if (!companyId) {
      const current = user.company_id ? `"${user.company_id[1]}" (id ${user.company_id[0]})` : 'its default company';
      add('company', 'warn', `No company id is set on this connection: Odoo uses the API user's current company ${current}; set --company-id to pin it`);
      return false;
    }
    const [company] = await client.read<{ id: number; name: string }>('res.company', [companyId], ['name']);
    if (!company) {
      add('company', 'fail', `Company id ${companyId} does not exist in this database`);
      return false;
    }
    if (!user.company_ids.includes(companyId)) {
      add('company', 'fail', `Company "${company.name}" (id ${companyId}) exists, but the API user is not allowed in it: add it to the user's Allowed Companies`);
      return false;
    }
    add('company', 'ok', `Company "${company.name}" (id ${companyId}) exists and the API user may work in it; every call carries it in allowed_company_ids`);
    return true;
  } catch (error) {
    add('company', 'fail', `Could not check the company: ${odooFailureWords(error)}`);
    return false;
  }
}

async function checkRights(client: OdooClient, add: (n: string, s: ConnectionCheckResult['status'], d: string) => void): Promise<void> {
  const missing: string[] = [];
  const absent = new Map<string, string>();
  for (const { model, operations, app } of REQUIRED_RIGHTS) {
    for (const operation of operations) {
      try {
        const allowed = await client.call<boolean>(model, 'check_access_rights', [operation], { raise_exception: false });
        if (!allowed) missing.push(`${operation} ${model}`);
      } catch (error) {
        if (error instanceof OdooNotFoundError) {
          absent.set(model, app);
          break;
        }
        if (error instanceof OdooAccessError) missing.push(`${operation} ${model}`);
        else throw error;
      }
    }
  }
  if (absent.size) {
    const apps = [...new Set(absent.values())].join(', ');
    add('rights', 'fail', `Models missing in this database: ${[...absent.keys()].join(', ')} — install the ${apps} app(s)`);
  } else if (missing.length) {
    add('rights', 'fail', `The API user lacks rights the connector needs: ${missing.join(', ')} — give it the Sales, Inventory and Invoicing user (or administrator) groups`);
  } else {
    const count = REQUIRED_RIGHTS.reduce((n, r) => n + r.operations.length, 0);
    add('rights', 'ok', `The API user has the ${count} read/write/create rights the connector needs on ${REQUIRED_RIGHTS.length} models`);
  }
}

async function checkKeyExpiry(client: OdooClient, connection: ConnectionView, now: number, add: (n: string, s: ConnectionCheckResult['status'], d: string) => void): Promise<number | null | undefined> {
  try {
    const info = await client.apiKeyExpiry();
    if (!info.supported) {
      add('api key expiry', 'ok', 'API keys of this Odoo version do not expire');
      return null;
    }
    if (!info.readable) {
      add('api key expiry', 'warn', 'Odoo 18+ keys can expire, but this user cannot read its key list: check the expiry date in Odoo yourself');
      return undefined;
    }
    if (info.earliestExpiry === null) {
      add('api key expiry', 'ok', 'The API key does not expire (persistent key)');
      return null;
    }
    const date = new Date(info.earliestExpiry).toISOString().slice(0, 10);
    const days = Math.floor((info.earliestExpiry - now) / DAY);
    if (info.earliestExpiry <= now) add('api key expiry', 'fail', `An API key of this user expired on ${date}: create a new key in Odoo and update the connection`);
    else if (days < connection.settings.odoo.apiKeyExpiryWarningDays) add('api key expiry', 'warn', `The API key expires on ${date} (in ${days} day${days === 1 ? '' : 's'}): create a new key and update the connection before then`);
    else add('api key expiry', 'ok', `The API key expires on ${date} (in ${days} days)`);
    return info.earliestExpiry;
  } catch (error) {
    add('api key expiry', 'warn', `Could not read the API key expiry: ${odooFailureWords(error)}`);
    return undefined;
  }
}
