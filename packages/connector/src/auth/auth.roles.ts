/**
 * Console roles. `admin` is the seed's "Poleepo Administrator" (everything); `operator` does the daily work and never
 * sees connections and credentials, users, webhook configuration or scheduled jobs.
 */
export const ROLES = ['admin', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const LANGS = ['it', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** What a route requires: a role, or nothing at all (login page, static files). */
export type Access = Role | 'public';

const RANK: Record<Role, number> = { operator: 1, admin: 2 };

/** Roles are ordered: an admin may do everything an operator may. */
export function roleAllows(userRole: Role, required: Access): boolean {
  if (required === 'public') return true;
  return RANK[userRole] >= RANK[required];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}
