import type { Generated } from 'kysely';

/** One shared access token per Poleepo account (per account, not per connection: connections may share one). */
export interface PoleepoTokensTable {
  id: Generated<number>;
  base_url: string;
  client_id: string;
  /** Encrypted (SecretBox); null until the first token is obtained. */
  access_token: string | null;
  /** 0 when there is no usable token (never obtained, or refused with 401). */
  expires_at: number;
  /** From then on the token is renewed (some minutes before expiry); 0 = renew now. */
  renew_at: number;
  /** Bumped on every renewal: a 401 invalidates only the version that failed (compare-and-set). */
  version: number;
  /** The process holding the refresh lease, until `refresh_until`. */
  refresh_owner: string | null;
  refresh_until: number | null;
  updated_at: number;
}

declare module '../storage/schema.ts' {
  interface Database {
    poleepo_tokens: PoleepoTokensTable;
  }
}
