import { hashPassword, randomToken, verifyPassword } from '../shared/passwords.ts';
import { ValidationError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import { isLang, isRole, type Lang, type Role } from './auth.roles.ts';
import type { UserRow, UsersRepo } from './users.repo.ts';
import type { SessionsRepo } from './sessions.repo.ts';

/** A user as everything outside this service sees it: never the password hash. */
export interface PublicUser {
  id: number;
  login: string;
  role: Role;
  /** The stored language (Italian when never chosen). */
  lang: Lang;
  /** Whether `lang` is the user's own choice; when not, the console follows the browser's language. */
  langChosen: boolean;
  /** IANA time zone for this user's dates, or null for the console's default (CONSOLE_TIME_ZONE). */
  timeZone: string | null;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Why a user operation was refused; the console translates `rule`, the CLI prints `message`. */
export type UserRule = 'login_invalid' | 'login_taken' | 'password_short' | 'password_long' | 'role_invalid' | 'lang_invalid'
  | 'not_found' | 'last_admin' | 'self_deactivate' | 'self_demote' | 'password_mismatch' | 'password_wrong' | 'time_zone_invalid';

export class UserRuleError extends ValidationError {
  constructor(readonly rule: UserRule, message: string) {
    super(message);
  }
}

export const PASSWORD_MIN_LENGTH = 10;
const PASSWORD_MAX_LENGTH = 200;
const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** Logins are case-insensitive: stored and compared lower-cased and trimmed. */
export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase();
}

export function toPublicUser(row: UserRow): PublicUser {
  return { id: row.id, login: row.login, role: row.role, lang: row.lang, langChosen: row.lang_chosen === 1, timeZone: row.time_zone, active: row.active === 1, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** A generated password: 16 URL-safe characters (96 bits), shown once. */
export function generatePassword(): string {
  return randomToken(12);
}

// Verified against when the login is unknown, so an unknown login costs the same time as a wrong password.
let dummyHash: Promise<string> | null = null;

/** Console users: creation (CLI and Users page), roles, activation, passwords, language. */
export class UsersService {
  constructor(private readonly repo: UsersRepo, private readonly sessions: SessionsRepo, private readonly clock: Clock) {}

  async anyUser(): Promise<boolean> {
    return (await this.repo.count()) > 0;
  }

  async list(): Promise<PublicUser[]> {
    return (await this.repo.list()).map(toPublicUser);
  }

  async get(id: number): Promise<PublicUser> {
    const row = await this.repo.findById(id);
    if (!row) throw new UserRuleError('not_found', `No user with id ${id}`);
    return toPublicUser(row);
  }

  /** `lang` unset (or empty): no language is chosen for the user, and the console follows their browser. */
  async create(input: { login: string; password: string; role: string; lang?: string | null; timeZone?: string | null }): Promise<PublicUser> {
    const login = normaliseLogin(input.login);
    if (!LOGIN_PATTERN.test(login)) {
      throw new UserRuleError('login_invalid', `Login "${input.login}" is not valid: use 1-64 letters, digits, dot, dash, underscore or @, starting with a letter or digit`);
    }
    if (!isRole(input.role)) throw new UserRuleError('role_invalid', `Role must be admin or operator (got "${input.role}")`);
    const chosen = input.lang !== undefined && input.lang !== null && input.lang !== '';
    const lang = chosen ? input.lang : 'it';
    if (!isLang(lang)) throw new UserRuleError('lang_invalid', `Language must be it or en (got "${lang}")`);
    const timeZone = input.timeZone ? checkTimeZone(input.timeZone) : null;
    checkPassword(input.password);
    if (await this.repo.findByLogin(login)) throw new UserRuleError('login_taken', `A user "${login}" already exists`);
    const now = this.clock.now();
    const passwordHash = await hashPassword(input.password);
    try {
      const id = await this.repo.insert({ login, password_hash: passwordHash, role: input.role, lang, lang_chosen: chosen ? 1 : 0, time_zone: timeZone, active: 1, created_at: now, updated_at: now });
      return this.get(id);
    } catch (error) {
      // Two creations of the same login racing: the unique index decides.
      if (await this.repo.findByLogin(login)) throw new UserRuleError('login_taken', `A user "${login}" already exists`);
      throw error;
    }
  }

  /** The user when login and password match an active user, else null; same cost whether or not the login exists. */
  async verifyCredentials(login: string, password: string): Promise<PublicUser | null> {
    const row = await this.repo.findByLogin(normaliseLogin(login));
    if (!row) {
      dummyHash ??= hashPassword(randomToken(16));
      await verifyPassword(password, await dummyHash);
      return null;
    }
    const ok = await verifyPassword(password, row.password_hash);
    return ok && row.active === 1 ? toPublicUser(row) : null;
  }

  async setRole(actorId: number, id: number, role: string): Promise<PublicUser> {
    if (!isRole(role)) throw new UserRuleError('role_invalid', `Role must be admin or operator (got "${role}")`);
    const user = await this.get(id);
    if (user.role === role) return user;
    if (user.role === 'admin' && id === actorId) throw new UserRuleError('self_demote', 'You cannot remove your own administrator role');
    if (user.role === 'admin' && user.active) await this.keepOneAdmin();
    await this.repo.update(id, { role, updated_at: this.clock.now() });
    return this.get(id);
  }

  async setActive(actorId: number, id: number, active: boolean): Promise<PublicUser> {
    const user = await this.get(id);
    if (user.active === active) return user;
    if (!active) {
      if (id === actorId) throw new UserRuleError('self_deactivate', 'You cannot deactivate yourself');
      if (user.role === 'admin') await this.keepOneAdmin();
    }
    await this.repo.update(id, { active: active ? 1 : 0, updated_at: this.clock.now() });
    // A deactivated user is logged out everywhere at once.
    if (!active) await this.sessions.deleteForUser(id);
    return this.get(id);
  }

  /** Sets a new password (or generates one, returned once) and ends the user's sessions. */
  async resetPassword(id: number, password?: string): Promise<{ user: PublicUser; generated: string | null }> {
    const user = await this.get(id);
    const generated = password ? null : generatePassword();
    const next = password ?? generated!;
    checkPassword(next);
    await this.repo.update(id, { password_hash: await hashPassword(next), updated_at: this.clock.now() });
    await this.sessions.deleteForUser(id);
    return { user, generated };
  }

  /** A user changing their own password: the current one is required; other sessions end, this one stays. */
  async changeOwnPassword(id: number, current: string, next: string, keepSessionId: number): Promise<void> {
    const row = await this.repo.findById(id);
    if (!row) throw new UserRuleError('not_found', `No user with id ${id}`);
    if (!(await verifyPassword(current, row.password_hash))) throw new UserRuleError('password_wrong', 'The current password is wrong');
    checkPassword(next);
    await this.repo.update(id, { password_hash: await hashPassword(next), updated_at: this.clock.now() });
    await this.sessions.deleteForUser(id, keepSessionId);
  }

  async setLang(id: number, lang: string): Promise<void> {
    if (!isLang(lang)) throw new UserRuleError('lang_invalid', `Language must be it or en (got "${lang}")`);
    await this.repo.update(id, { lang, lang_chosen: 1, updated_at: this.clock.now() });
  }

  /** The user's time zone (an IANA name such as Europe/Rome); empty or null goes back to the console's default. */
  async setTimeZone(id: number, timeZone: string | null): Promise<void> {
    const zone = timeZone ? checkTimeZone(timeZone) : null;
    await this.get(id);
    await this.repo.update(id, { time_zone: zone, updated_at: this.clock.now() });
  }

  private async keepOneAdmin(): Promise<void> {
    if ((await this.repo.countActiveAdmins()) <= 1) throw new UserRuleError('last_admin', 'At least one active administrator must remain');
  }
}

/** An IANA time zone name Intl knows, in its canonical spelling; else a `time_zone_invalid` refusal. */
export function checkTimeZone(zone: string): string {
  const trimmed = zone.trim();
  if (trimmed.length > 64) throw new UserRuleError('time_zone_invalid', `"${trimmed.slice(0, 64)}…" is not a time zone`);
  try {
    return new Intl.DateTimeFormat('en', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    throw new UserRuleError('time_zone_invalid', `"${trimmed}" is not a time zone (use a name such as Europe/Rome)`);
  }
}

export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) throw new UserRuleError('password_short', `The password must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (password.length > PASSWORD_MAX_LENGTH) throw new UserRuleError('password_long', `The password must be at most ${PASSWORD_MAX_LENGTH} characters long`);
}
