import type { Clock } from '../shared/clock.ts';
import type { LoginAttemptsRepo } from './login-attempts.repo.ts';

export interface ThrottlePolicy {
  windowMs: number;
  /** Failures for one login from one address within the window before that address is refused for that login (a success from it starts over). */
  maxPerLoginAndIp: number;
  /** Failures from one client address within the window before it is refused (whatever the login). */
  maxPerIp: number;
  /**
   * Failures for one login from every address together within the window before the login is refused to everyone:
   * the ceiling for an attack spread over many addresses (each gives at most maxPerLoginAndIp). A success does not
   * lower it.
   */
  maxPerLogin: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { windowMs: 15 * 60_000, maxPerLoginAndIp: 5, maxPerIp: 20, maxPerLogin: 25 };

/** Attempts are kept this long (longer than any window), then removed as new attempts come in. */
const RETENTION_MS = 86_400_000;

export type ThrottleScope = 'login-ip' | 'ip' | 'login';
export type ThrottleVerdict = { allowed: true; attemptId: number } | { allowed: false; retryAfterMs: number; scope: ThrottleScope };

/**
 * Login throttling on persisted attempts and the injected clock, across restarts and processes. A guesser is slowed
 * per (login, address) and per address; a login is closed to everyone only past a ceiling that takes many
 * addresses to reach, so five wrong passwords from one address do not lock the real user out.
 *
 * `admit` checks and records the attempt in one serialised step (the attempt counts as a failure until `succeeded`),
 * so simultaneous attempts cannot all pass the check before any of them is counted. Refused attempts are not
 * recorded, so waiting always ends the refusal.
 */
export class LoginThrottle {
  constructor(private readonly repo: LoginAttemptsRepo, private readonly clock: Clock, readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {}

  async admit(login: string, ip: string): Promise<ThrottleVerdict> {
    const verdict = await this.repo.serialised(async (repo): Promise<ThrottleVerdict> => {
      const now = this.clock.now();
      const since = now - this.policy.windowMs;
      const limits: [ThrottleScope, number, () => Promise<number[]>][] = [
        ['login-ip', this.policy.maxPerLoginAndIp, () => repo.failuresForLoginAndIp(login, ip, since, this.policy.maxPerLoginAndIp)],
        ['ip', this.policy.maxPerIp, () => repo.failuresForIp(ip, since, this.policy.maxPerIp)],
        ['login', this.policy.maxPerLogin, () => repo.failuresForLogin(login, since, this.policy.maxPerLogin)],
      ];
      for (const [scope, max, failures] of limits) {
        const times = await failures();
        if (times.length >= max) {
          // The max-th most recent failure is the one whose expiry reopens the door (a limit of 0: a whole window).
          const oldestCounted = times[max - 1] ?? now;
          return { allowed: false, scope, retryAfterMs: oldestCounted + this.policy.windowMs - now };
        }
      }
      return { allowed: true, attemptId: await repo.record(login, ip, false, now) };
    });
    if (verdict.allowed) await this.repo.deleteOlderThan(this.clock.now() - RETENTION_MS);
    return verdict;
  }

  /** The admitted attempt had the right password. */
  async succeeded(attemptId: number): Promise<void> {
    await this.repo.markSucceeded(attemptId);
  }
}
