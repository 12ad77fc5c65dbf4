import type { Context } from 'hono';
import type { AppContext } from '../app/context.ts';
import type { Services } from '../app/modules.ts';
import type { Access, Lang, Role } from '../auth/auth.roles.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { ActiveSession } from '../auth/sessions.service.ts';
import type { PublicUser } from '../auth/users.service.ts';
import type { Translator, PageMessages } from './i18n/i18n.ts';
import type { Flash } from './console.flash.ts';
import type { StaticAssets } from './console.static.ts';
import type { ConsoleCookies } from './console.cookies.ts';

/** One menu entry; shown only to users whose role allows `access` of the page's index route. */
export interface NavEntry {
  path: string;
  /** i18n key of the label. */
  label: string;
  /** Menu order (lower first). */
  order: number;
  /** Least role that sees the entry (must match the route's own access). */
  access: Role;
}

/** What every console request carries (Hono context variables). */
export interface ConsoleVars {
  session: ActiveSession | null;
  user: PublicUser | null;
  lang: Lang;
  /** The zone dates are printed in: the user's own, else the console's default. */
  timeZone: string;
  t: Translator;
  /** The token forms must echo: the session's, or the pre-login one on the login page. */
  csrfToken: string;
  flash: Flash | null;
  /** Menu entries this user may see. */
  nav: NavEntry[];
  services: ConsoleServices;
}

export type ConsoleEnv = { Variables: ConsoleVars };
export type ConsoleContext = Context<ConsoleEnv>;
export type ConsoleHandler = (c: ConsoleContext) => Response | Promise<Response>;

/** The services pages reach (through this, never through the database). */
export interface ConsoleServices {
  ctx: AppContext;
  /** The capability modules' services (webhooks, …) for their pages; null when the console runs without them. */
  modules: Services | null;
  auth: AuthService;
  /** The console's default time zone (CONSOLE_TIME_ZONE); a user's own zone replaces it for them. */
  timeZone: string;
  assets: StaticAssets;
  cookies: ConsoleCookies;
  /** The client address (login throttling). */
  clientIp(c: Context): string;
}

/** A route as declared: the registry enforces `access` (and CSRF on POST) before the handler runs. */
export interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
  pageId: string;
}

export interface PageRouter {
  get(path: string, access: Access, handler: ConsoleHandler): void;
  post(path: string, access: Access, handler: ConsoleHandler): void;
}

/**
 * A console page: its routes (each with the least role allowed), an optional menu entry and its own i18n keys.
 * See the top of console.app.tsx for how to add one.
 */
export interface ConsolePage {
  id: string;
  nav?: NavEntry;
  messages?: PageMessages;
  routes(router: PageRouter, services: ConsoleServices): void;
}

export function definePage(page: ConsolePage): ConsolePage {
  return page;
}
