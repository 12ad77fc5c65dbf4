import { randomToken, sha256Hex } from '../shared/passwords.ts';
import type { Clock } from '../shared/clock.ts';
import type { SessionsRepo } from './sessions.repo.ts';
import { toPublicUser, type PublicUser } from './users.service.ts';
import { isLang, type Lang } from './auth.roles.ts';

export interface SessionPolicy {
  /** A session unused for this long ends (sliding). */
  idleMs: number;
  /** A session ends this long after login, however active. */
  absoluteMs: number;
  /** Sliding expiry is written at most this often, so browsing does not write on every request. */
  touchEveryMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 12 * 3_600_000, absoluteMs: 7 * 86_400_000, touchEveryMs: 60_000 };

export interface ActiveSession {
  id: number;
  csrfToken: string;
  expiresAt: number;
  /** The language chosen on the login page (or switched to since), which wins for this session; null when none. */
  lang: Lang | null;
  user: PublicUser;
}

export interface NewSession {
  /** The cookie value; stored nowhere on the server (only its SHA-256). */
  token: string;
  csrfToken: string;
  expiresAt: number;
}

/** Console sessions: random 256-bit tokens, stored hashed, with idle and absolute expiry. */
export class SessionsService {
  constructor(private readonly repo: SessionsRepo, private readonly clock: Clock, readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY) {}

  /** `lang`: the language the person chose on the login page, kept for this session. */
  async create(userId: number, lang: Lang | null = null): Promise<NewSession> {
    const now = this.clock.now();
    const token = randomToken(32);
    const csrfToken = randomToken(32);
    const expiresAt = now + Math.min(this.policy.idleMs, this.policy.absoluteMs);
    await this.repo.insert({ token_hash: sha256Hex(token), user_id: userId, csrf_token: csrfToken, expires_at: expiresAt, created_at: now, last_seen_at: now, lang });
    // Expired rows of anyone are removed here, at login time, rather than by a job.
    await this.repo.deleteExpired(now);
    return { token, csrfToken, expiresAt };
  }

  /** The live session for a cookie token (sliding its expiry), or null when unknown, expired or the user is inactive. */
  async resolve(token: string | undefined): Promise<ActiveSession | null> {
    if (!token || token.length > 200) return null;
    // Looked up by hash: the database index compares hashes, never the secret token itself.
    const found = await this.repo.findWithUser(sha256Hex(token));
    if (!found) return null;
    const { session, user } = found;
    const now = this.clock.now();
    if (session.expires_at <= now || user.active !== 1) {
      await this.repo.delete(session.id);
      return null;
    }
    let expiresAt = session.expires_at;
    if (now - session.last_seen_at >= this.policy.touchEveryMs) {
      expiresAt = Math.min(now + this.policy.idleMs, session.created_at + this.policy.absoluteMs);
      await this.repo.touch(session.id, now, expiresAt);
    }
    return { id: session.id, csrfToken: session.csrf_token, expiresAt, lang: isLang(session.lang) ? session.lang : null, user: toPublicUser(user) };
  }

  async setLang(sessionId: number, lang: Lang | null): Promise<void> {
    await this.repo.setLang(sessionId, lang);
  }

  async end(sessionId: number): Promise<void> {
    await this.repo.delete(sessionId);
  }
}
