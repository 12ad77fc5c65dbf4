/**
 * What the development-time checks against a real Odoo share (scripts/real-odoo-*-check.ts): their arguments, the
 * recording of every Odoo request and answer (the API key redacted), and PASS/FAIL checks that print, for a failure,
 * the Odoo calls Odoo refused. Never part of `npm test`.
 */
import { parseArgs } from 'node:util';

export interface CheckArguments {
  odooUrl: string;
  db: string;
  login: string;
  apiKey: string;
  company: number;
  verbose: boolean;
  /** Where to write every Odoo request and answer of the run (JSON lines, the key redacted). */
  exchangesFile: string | undefined;
}

/** Reads the arguments every check takes, or prints the usage and exits 2; arms the time limit (exit 3). */
export function parseCheckArguments(script: string): CheckArguments {
  const { values: argv } = parseArgs({
    options: {
      'odoo-url': { type: 'string' },
      db: { type: 'string' },
      login: { type: 'string', default: 'admin' },
      'api-key': { type: 'string' },
      company: { type: 'string', default: '1' },
      verbose: { type: 'boolean', default: false },
      exchanges: { type: 'string' },
      /** Stop after this many seconds whatever happens. */
      'time-limit': { type: 'string', default: '900' },
    },
  });
  if (!argv['odoo-url'] || !argv.db || !argv['api-key']) {
    console.error(`usage: node --import tsx scripts/${script} --odoo-url URL --db NAME --login admin --api-key KEY [--company 1] [--verbose] [--exchanges FILE] [--time-limit SECONDS]`);
    process.exit(2);
  }
  const hardStop = setTimeout(() => {
    console.error(`TIME LIMIT: stopped after ${argv['time-limit']} s`);
    process.exit(3);
  }, Number(argv['time-limit']) * 1000);
  hardStop.unref();
  return {
    odooUrl: argv['odoo-url'].replace(/\/+$/, ''),
    db: argv.db,
    login: argv.login ?? 'admin',
    apiKey: argv['api-key'],
    company: Number(argv.company),
    verbose: argv.verbose ?? false,
    exchangesFile: argv.exchanges,
  };
}

// ---------------------------------------------------------------- Odoo exchanges, recorded as sent

export interface Exchange {
  n: number;
  url: string;
  request: unknown;
  status: number | null;
  response: unknown;
  ms: number;
}

export interface ExchangeRecorder {
  /** The last 3,000–4,000 Odoo exchanges, oldest first. */
  readonly exchanges: Exchange[];
  /** How many Odoo exchanges so far (numbers them). */
  count(): number;
  /** fetch for the connector's HttpClient: Odoo's requests and answers are kept; other hosts go to `onOther`. */
  fetch(url: string, init: RequestInit): Promise<Response>;
}

export function recordOdooExchanges(odooUrl: string, apiKey: string, onOther?: (url: string, init: RequestInit, response: Response) => void): ExchangeRecorder {
  const exchanges: Exchange[] = [];
  let exchangeCount = 0;
  const redact = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).split(apiKey).join('<API_KEY>'));
  return {
    exchanges,
    count: () => exchangeCount,
    async fetch(url, init) {
      const started = Date.now();
      const response = await fetch(url, init);
      if (!url.startsWith(odooUrl)) {
        onOther?.(url, init, response);
        return response;
      }
      const text = await response.clone().text();
      let request: unknown = init.body;
      try {
        request = JSON.parse(String(init.body));
      } catch { /* not JSON */ }
      let answer: unknown = text;
      try {
        answer = JSON.parse(text);
      } catch { /* HTML */ }
      exchanges.push({ n: ++exchangeCount, url: url.slice(odooUrl.length), request: redact(request), status: response.status, response: redact(answer), ms: Date.now() - started });
      if (exchanges.length > 4000) exchanges.splice(0, 1000);
      return response;
    },
  };
}

/** The model call an exchange carries: `model.method(args, kwargs)` (JSON-RPC execute_kw, or JSON-2). */
export function describeRequest(e: Exchange): string {
  const req = e.request as { params?: { service?: string; method?: string; args?: unknown[] } } | Record<string, unknown> | null;
  const params = (req as { params?: { service?: string; method?: string; args?: unknown[] } } | null)?.params;
  if (params?.service === 'object' && Array.isArray(params.args)) {
    const [, , , model, method, args, kwargs] = params.args;
    return `execute_kw ${String(model)}.${String(method)} args=${JSON.stringify(args)} kwargs=${JSON.stringify(kwargs ?? {})}`;
  }
  return `${e.url} ${JSON.stringify(req)}`;
}

export function describeAnswer(e: Exchange): string {
  const r = e.response as { error?: { data?: { name?: string; message?: string }; message?: string }; result?: unknown; name?: string; message?: string } | string;
  if (typeof r === 'string') return `HTTP ${e.status}: ${r.slice(0, 400)}`;
  if (r?.error) return `HTTP ${e.status} error ${r.error.data?.name ?? r.error.message}: ${r.error.data?.message ?? ''}`;
  if (r && typeof r === 'object' && 'name' in r && 'message' in r && e.status !== 200) return `HTTP ${e.status} error ${r.name}: ${r.message}`;
  return `HTTP ${e.status} result ${JSON.stringify(r && typeof r === 'object' && 'result' in r ? r.result : r).slice(0, 600)}`;
}

export function isErrorExchange(e: Exchange): boolean {
  // The transport probe asks 17/18 for JSON-2 and is told 404: expected, not a refusal.
  if (e.status === 404 && e.url.startsWith('/json/2/res.users/context_get')) return false;
  const r = e.response as { error?: unknown } | string | null;
  return e.status !== 200 || typeof r === 'string' || Boolean(r && typeof r === 'object' && 'error' in r);
}

// ---------------------------------------------------------------- checks

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as Error & { exceptionName?: string | null; problems?: { code: string; message: string }[] };
  const parts = [`${error.name}: ${error.message}`];
  if (details.exceptionName) parts.push(`Odoo exception ${details.exceptionName}`);
  if (details.problems) parts.push(`problems ${JSON.stringify(details.problems)}`);
  return parts.join(' | ');
}

export interface Checks {
  readonly results: CheckResult[];
  report(name: string, ok: boolean, detail?: string, since?: number): void;
  /** Runs one check: PASS when `fn` returns true or a string (its detail) and throws nothing. */
  check(name: string, fn: () => Promise<boolean | string> | boolean | string): Promise<boolean>;
  /** Prints the tally; the exit code the run should end with. */
  summary(): number;
}

export function createChecks(recorder: ExchangeRecorder): Checks {
  const results: CheckResult[] = [];
  const report = (name: string, ok: boolean, detail = '', since?: number): void => {
    results.push({ name, ok, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? ` — ${detail}` : ''}`);
    if (!ok) {
      // The Odoo calls of this check that Odoo refused, as sent and as answered (the last one is usually the cause).
      const failed = recorder.exchanges.filter((e) => (since === undefined || e.n > since) && isErrorExchange(e)).slice(-3);
      for (const e of failed) {
        console.log(`        request: ${describeRequest(e)}`);
        console.log(`        answer:  ${describeAnswer(e)}`);
      }
    }
  };
  return {
    results,
    report,
    async check(name, fn) {
      const since = recorder.count();
      try {
        const outcome = await fn();
        const ok = outcome !== false;
        report(name, ok, typeof outcome === 'string' ? outcome : '', since);
        return ok;
      } catch (error) {
        report(name, false, errorText(error), since);
        return false;
      }
    },
    summary() {
      const failed = results.filter((r) => !r.ok);
      console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
      return failed.length ? 1 : 0;
    },
  };
}

export class CheckFailed extends Error {}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/** Polls `fn` every 250 ms until it answers something truthy, or fails the check after `timeoutMs` (real Odoo is slow). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new CheckFailed(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const m2oId = (v: unknown): number | null => (Array.isArray(v) && typeof v[0] === 'number' ? v[0] : typeof v === 'number' ? v : null);
