import type { Clock } from '../shared/clock.ts';
import type { LoginAttemptsRepo } from './login-attempts.repo.ts';

export interface ThrottlePolicy {
  windowMs: number;
  /** Failures for one login within the window before that login is refused (a success starts over). */
  maxPerLogin: number;
  /** Failures from one client address within the window before it is refused (whatever the login). */
  maxPerIp: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { windowMs: 15 * 60_000, maxPerLogin: 5, maxPerIp: 20 };

/** Attempts are kept this long (longer than any window), then removed as new attempts come in. */
const RETENTION_MS = 86_400_000;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; scope: 'login' | 'ip' };

/**
 * Login throttling on persisted attempts and the injected clock: a password guesser is slowed per account and per
 * address, across restarts and processes. Refused attempts are not recorded, so waiting always ends the refusal.
 */
export class LoginThrottle {
  constructor(private readonly repo: LoginAttemptsRepo, private readonly clock: Clock, readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {}

  async check(login: string, ip: string): Promise<ThrottleVerdict> {
    const now = this.clock.now();
    const since = now - this.policy.windowMs;
    const byLogin = await this.repo.failuresForLogin(login, since, this.policy.maxPerLogin);
    if (byLogin.length >= this.policy.maxPerLogin) return { allowed: false, scope: 'login', retryAfterMs: byLogin[this.policy.maxPerLogin - 1] + this.policy.windowMs - now };
    const byIp = await this.repo.failuresForIp(ip, since, this.policy.maxPerIp);
    if (byIp.length >= this.policy.maxPerIp) return { allowed: false, scope: 'ip', retryAfterMs: byIp[this.policy.maxPerIp - 1] + this.policy.windowMs - now };
    return { allowed: true };
  }

  async recordFailure(login: string, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.repo.record(login, ip, false, now);
    await this.repo.deleteOlderThan(now - RETENTION_MS);
  }

  async recordSuccess(login: string, ip: string): Promise<void> {
    await this.repo.record(login, ip, true, this.clock.now());
  }
}
