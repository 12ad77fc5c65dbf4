import type { Lang } from '../../auth/auth.roles.ts';
import type { PublicUser } from '../../auth/users.service.ts';
import type { Translator } from '../i18n/i18n.ts';
import type { ConsoleContext } from '../console.types.ts';

/** What components need to render for the current person: language, time zone, CSRF token. */
export interface Ui {
  t: Translator;
  lang: Lang;
  timeZone: string;
  csrfToken: string;
  user: PublicUser | null;
  /** The clock's now (relative times, "next run in"). */
  now: number;
}

export function uiOf(c: ConsoleContext): Ui {
  const services = c.get('services');
  return { t: c.get('t'), lang: c.get('lang'), timeZone: c.get('timeZone') ?? services.timeZone, csrfToken: c.get('csrfToken'), user: c.get('user'), now: services.ctx.clock.now() };
}
