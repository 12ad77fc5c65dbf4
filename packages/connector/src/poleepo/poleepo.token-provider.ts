import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { RetryableError } from '../shared/errors.ts';
import type { PoleepoTokenStore } from './poleepo.token-store.ts';

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds (Poleepo's `duration`). */
  durationSeconds: number;
}

export interface CurrentToken {
  token: string;
  version: number;
  expiresAt: number;
  renewAt: number;
}

export interface TokenProviderOptions {
  /** Renew this long before expiry (S1 renews 5 minutes before; docs/poleepo-api.md §2), at most half the lifetime. */
  refreshMarginMs?: number;
  /** How long a process may hold the refresh lease before another may take over. */
  leaseMs?: number;
  /** While another process renews an expired token: how long to wait for it, in real time, and how often to look. */
  maxWaitMs?: number;
  waitStepMs?: number;
  owner?: string;
}

/**
 * Gives out the current access token, renewing it when needed: once per process at a time (a shared promise) and
 * once per deployment at a time (the store's lease). A process that loses the race keeps using the still-valid
 * token; only when the token has already expired does it wait for the winner's.
 */
export class PoleepoTokenProvider {
  private cached: CurrentToken | null = null;
  private inflight: Promise<CurrentToken> | null = null;
  private readonly refreshMarginMs: number;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  private readonly waitStepMs: number;
  readonly owner: string;

  constructor(
    private readonly store: PoleepoTokenStore,
    private readonly issue: () => Promise<IssuedToken>,
    private readonly clock: Clock,
    options: TokenProviderOptions = {},
  ) {
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
    this.waitStepMs = options.waitStepMs ?? 25;
    this.owner = options.owner ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  async current(): Promise<CurrentToken> {
    if (this.cached && this.clock.now() < this.cached.renewAt) return this.cached;
    this.inflight ??= this.obtain().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** The token of `version` was refused (401): forget it here and in the store, unless already renewed. */
  async invalidate(version: number): Promise<void> {
    if (this.cached?.version === version) this.cached = null;
    await this.store.invalidate(version, this.clock.now());
  }

  private async obtain(): Promise<CurrentToken> {
    const started = performance.now();
    for (;;) {
      const row = await this.store.read();
      const now = this.clock.now();
      if (row?.token && now < row.renewAt && now < row.expiresAt) {
        this.cached = { token: row.token, version: row.version, expiresAt: row.expiresAt, renewAt: row.renewAt };
        return this.cached;
      }
      if (await this.store.tryClaim(this.owner, now, now + this.leaseMs)) {
        return this.renew();
      }
      // Another process is renewing. A token that has not expired yet still works meanwhile.
      if (row?.token && now < row.expiresAt) return { token: row.token, version: row.version, expiresAt: row.expiresAt, renewAt: row.renewAt };
      if (performance.now() - started > this.maxWaitMs) {
        throw new RetryableError('Another process is renewing the Poleepo access token and has not finished yet', { code: 'poleepo_token_wait' });
      }
      // Coordination wait on another process (real time: a controlled clock may not move while we wait).
      await new Promise((resolve) => setTimeout(resolve, this.waitStepMs));
    }
  }

  private async renew(): Promise<CurrentToken> {
    let issued: IssuedToken;
    try {
      issued = await this.issue();
    } catch (error) {
      await this.store.release(this.owner).catch(() => undefined);
      throw error;
    }
    const now = this.clock.now();
    const lifetime = Math.max(1, issued.durationSeconds) * 1000;
    const expiresAt = now + lifetime;
    const renewAt = expiresAt - Math.min(this.refreshMarginMs, Math.floor(lifetime / 2));
    const version = await this.store.saveClaimed(this.owner, issued.token, expiresAt, renewAt, now);
    // Lease lost meanwhile (we were slower than the lease): the token is still good for this process.
    const current = { token: issued.token, version: version ?? -1, expiresAt, renewAt };
    if (version !== null) this.cached = current;
    return current;
  }
}
