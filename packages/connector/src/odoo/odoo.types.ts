/** Shared types of the Odoo client. */

/** An Odoo domain: `[['field', 'op', value], '|', …]`. */
export type OdooDomain = readonly unknown[];

/** The context Odoo receives in every call (inside kwargs for JSON-RPC, as `context` in a JSON-2 body). */
export type OdooContext = Record<string, unknown>;

/** A record as Odoo returns it (`id` first, `false` for empty values, many2one as `[id, name]`). */
export type OdooRecord = { id: number } & Record<string, unknown>;

export type OdooTransportKind = 'jsonrpc' | 'json2';

export interface OdooVersionInfo {
  /** 17, 18, 19… (from `server_version_info[0]` / `version_info[0]`; Online's `saas~18.3` gives 18). */
  major: number;
  minor: number;
  /** As Odoo reports it (`17.0-20240709`, `18.0`, `saas~18.3+e`). */
  serverVersion: string;
  /** Odoo Online / SaaS build (`saas~…`). */
  saas: boolean;
}

/** Per-call options every helper accepts. */
export interface OdooCallOptions {
  context?: OdooContext;
  /** Overrides the client's default timeout for this call. */
  timeoutMs?: number;
  /**
   * Retries on transient and concurrency errors. Default: on for reads and absolute writes (search*, read, write,
   * unlink, fields_get…), off for everything else — never for create (use createIdempotent).
   */
  retry?: boolean;
  /** Also ends the wait for a slot in the connection's limiter. */
  signal?: AbortSignal;
  /** The limiter's priority for this call; default: the surrounding withOdooPriority(), else interactive. */
  priority?: 'interactive' | 'bulk';
}

/** A field as `fields_get` describes it. */
export interface OdooFieldInfo {
  type: string;
  string?: string;
  required?: boolean;
  readonly?: boolean;
  relation?: string;
  selection?: [string | number | false, string][] | false;
  store?: boolean;
  company_dependent?: boolean;
  [attribute: string]: unknown;
}

export type OdooFields = Record<string, OdooFieldInfo>;
