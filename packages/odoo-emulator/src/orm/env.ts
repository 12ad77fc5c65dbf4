/**
 * The environment of one call, like Odoo's `env`: who calls, with which context, which companies are active, and
 * the transaction start time (Odoo stamps create_date / write_date with the transaction's start, so every record a
 * call touches gets the same timestamp).
 */
import type { Registry } from './registry.ts';
import type { Rec } from './store.ts';
import type { Model } from './model.ts';
import { accessError, userError } from '../errors/odoo.errors.ts';

export type Context = Record<string, unknown>;

export class Env {
  /** Per-call caches (display names, stock figures) keyed by whatever the model needs. */
  readonly cache = new Map<string, unknown>();

  constructor(
    readonly registry: Registry,
    readonly uid: number,
    readonly context: Context,
    /** Transaction start, epoch ms. */
    readonly nowMs: number,
    /** Whether the call came over JSON-2 (some answers differ). */
    readonly transport: 'jsonrpc' | 'json2' | 'internal' = 'internal',
  ) {}

  get profile() {
    return this.registry.profile;
  }

  /** `YYYY-MM-DD HH:MM:SS` (UTC) of the transaction start. */
  get now(): string {
    return formatDatetime(this.nowMs);
  }

  model(name: string): Model {
    return this.registry.model(name);
  }

  user(): Rec {
    return this.registry.store.table('res.users').get(this.uid)!;
  }

  /** The companies the context activates (`allowed_company_ids`), else all of the user's companies. */
  get companyIds(): number[] {
    const cached = this.cache.get('companyIds') as number[] | undefined;
    if (cached) return cached;
    const user = this.user();
    const allowed = this.context.allowed_company_ids;
    let ids: number[];
    if (Array.isArray(allowed) && allowed.length) ids = allowed.map(Number);
    else ids = [user.company_id as number, ...((user.company_ids as number[]) ?? []).filter((c) => c !== user.company_id)];
    this.cache.set('companyIds', ids);
    return ids;
  }

  /** `env.company`: the first allowed company, else the user's company. */
  get companyId(): number {
    const allowed = this.context.allowed_company_ids;
    if (Array.isArray(allowed) && allowed.length) return Number(allowed[0]);
    return this.user().company_id as number;
  }

  withContext(extra: Context): Env {
    return new Env(this.registry, this.uid, { ...this.context, ...extra }, this.nowMs, this.transport);
  }

  sudo(): Env {
    return new Env(this.registry, 1, this.context, this.nowMs, this.transport);
  }

  get isSuperuser(): boolean {
    return this.uid === 1;
  }

  /** Odoo checks the context before running anything: known language, companies the user belongs to. */
  validateContext(): void {
    const lang = this.context.lang;
    if (this.profile.langMustBeInstalled && typeof lang === 'string' && lang) {
      const installed = [...this.registry.store.table('res.lang').rows.values()].some((l) => l.code === lang && l.active !== false);
      if (!installed) throw userError(`Invalid language code: ${lang}`);
    }
    const allowed = this.context.allowed_company_ids;
    if (Array.isArray(allowed) && allowed.length) {
      const user = this.user();
      const mine = new Set((user.company_ids as number[]) ?? [user.company_id]);
      if (allowed.some((c) => !mine.has(Number(c)))) throw accessError('Access to unauthorized or invalid companies.');
    }
  }
}

export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function formatDate(ms: number): string {
  return formatDatetime(ms).slice(0, 10);
}
