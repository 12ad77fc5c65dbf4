import type { AppContext } from '../app/context.ts';
import { LoginAttemptsRepo } from './login-attempts.repo.ts';
import { LoginThrottle, type ThrottlePolicy, DEFAULT_THROTTLE_POLICY } from './login.throttle.ts';
import { SessionsRepo } from './sessions.repo.ts';
import { DEFAULT_SESSION_POLICY, SessionsService, type NewSession, type SessionPolicy } from './sessions.service.ts';
import { UsersRepo } from './users.repo.ts';
import type { Lang } from './auth.roles.ts';
import { normaliseLogin, UsersService, type PublicUser } from './users.service.ts';

export type LoginOutcome =
  | { ok: true; user: PublicUser; session: NewSession }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterMs: number };

/** Login: throttle, verify, open a session. */
export class AuthService {
  constructor(readonly users: UsersService, readonly sessions: SessionsService, readonly throttle: LoginThrottle) {}

  /** `lang`: the language chosen on the login page, if the person chose one; it wins for the new session. */
  async login(login: string, password: string, ip: string, lang: Lang | null = null): Promise<LoginOutcome> {
    const key = normaliseLogin(login).slice(0, 100);
    // The attempt is counted (as a failure) before the password is checked: simultaneous guesses see each other.
    const verdict = await this.throttle.admit(key, ip);
    if (!verdict.allowed) return { ok: false, reason: 'throttled', retryAfterMs: verdict.retryAfterMs };
    const user = await this.users.verifyCredentials(login, password);
    if (!user) return { ok: false, reason: 'invalid' };
    await this.throttle.succeeded(verdict.attemptId);
    return { ok: true, user, session: await this.sessions.create(user.id, lang) };
  }
}

export interface AuthPolicies {
  session?: Partial<SessionPolicy>;
  throttle?: Partial<ThrottlePolicy>;
}

/** Builds the auth services from the app context (the CLI and the console share them). */
export function createAuth(ctx: Pick<AppContext, 'db' | 'clock'>, policies: AuthPolicies = {}): AuthService {
  const sessionsRepo = new SessionsRepo(ctx.db);
  const users = new UsersService(new UsersRepo(ctx.db), sessionsRepo, ctx.clock);
  const sessions = new SessionsService(sessionsRepo, ctx.clock, { ...DEFAULT_SESSION_POLICY, ...policies.session });
  const throttle = new LoginThrottle(new LoginAttemptsRepo(ctx.db), ctx.clock, { ...DEFAULT_THROTTLE_POLICY, ...policies.throttle });
  return new AuthService(users, sessions, throttle);
}

/** What `start` prints when nobody can log in yet; null once a user exists. */
export async function firstRunHint(ctx: Pick<AppContext, 'db' | 'clock'>): Promise<string | null> {
  if ((await new UsersRepo(ctx.db).count()) > 0) return null;
  return 'No console user exists yet. Create the first administrator with:\n  poleepo-odoo user add admin --role admin';
}
