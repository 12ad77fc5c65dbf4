import type { Child } from 'hono/jsx';
import type { NavEntry } from '../console.types.ts';
import type { Flash } from '../console.flash.ts';
import type { StaticAssets } from '../console.static.ts';
import type { Ui } from './ui.ts';
import { FlashMessage } from './flash.tsx';
import { CsrfField } from './forms.tsx';
import { LANGS } from '../../auth/auth.roles.ts';

/** htmx without eval or inline styles (CSP), errors swapped in like pages, no page snapshots in localStorage. */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  // htmx's settle copies these from the old element to the new one of the same id; a copied `style` attribute is an
  // inline style the CSP (style-src 'self') refuses, so style is left out.
  attributesToSettle: ['class', 'width', 'height'],
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    // A refused form (422) is an ordinary answer, shown in place; other errors are shown too, and reported.
    { code: '422', swap: true },
    { code: '[45]..', swap: true, error: true },
  ],
});

export interface LayoutProps {
  ui: Ui;
  title: string;
  assets: StaticAssets;
  nav: NavEntry[];
  currentPath: string;
  flash: Flash | null;
  children?: Child;
}

/** Every page: skip link, top bar (user, language, logout), menu, flash, one h1, content. */
export function Layout(props: LayoutProps) {
  const { ui, title, assets, nav, currentPath, flash } = props;
  const { t, user } = ui;
  return (
    <html lang={ui.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <meta name="color-scheme" content="light" />
        <link rel="icon" href="data:," />
        <title>{`${title} · ${t('app.name')}`}</title>
        <link rel="stylesheet" href={assets.url('pico.min.css')} />
        <link rel="stylesheet" href={assets.url('console.css')} />
        <script src={assets.url('htmx.min.js')} defer></script>
        <script src={assets.url('console.js')} defer></script>
      </head>
      <body>
        <div id="app" hx-boost="true" hx-headers={JSON.stringify({ 'X-CSRF-Token': ui.csrfToken })} data-theme="light">
          <a class="skip-link" href="#main">{t('layout.skip')}</a>
          <header class="topbar">
            <a class="brand" href="/">{t('app.name')}</a>
            {user ? (
              <div class="account">
                <span class="who">
                  <span class="visually-hidden">{t('layout.signedInAs')} </span>
                  <strong>{user.login}</strong> <span class={`badge badge-${user.role === 'admin' ? 'info' : 'muted'}`}>{t(`role.${user.role}`)}</span>
                </span>
                <LangSwitch ui={ui} action="/account/lang" />
                <form method="post" action="/logout" hx-boost="false" class="inline">
                  <CsrfField token={ui.csrfToken} />
                  <button type="submit" class="secondary outline small">{t('layout.logout')}</button>
                </form>
              </div>
            ) : (
              <LangLinks ui={ui} currentPath={currentPath} />
            )}
          </header>
          <div class={nav.length > 0 ? 'shell' : 'shell bare'}>
            {nav.length > 0 && (
              <nav class="sidebar" aria-label={t('layout.menu')}>
                <ul>
                  {nav.map((entry) => (
                    <li>
                      <a href={entry.path} aria-current={isCurrent(entry.path, currentPath) ? 'page' : undefined}>{t(entry.label)}</a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            <main id="main" tabindex={-1}>
              <div id="flash" role="status" aria-live="polite">
                {flash && <FlashMessage flash={flash} t={t} />}
              </div>
              <h1>{title}</h1>
              {props.children}
            </main>
          </div>
          <footer class="footer">
            <small>{t('layout.footer', { tz: ui.timeZone })}</small>
          </footer>
        </div>
      </body>
    </html>
  );
}

function isCurrent(path: string, current: string): boolean {
  return path === '/' ? current === '/' : current === path || current.startsWith(`${path}/`);
}

/** Language switch for a signed-in user (stored on the user): a full reload, so <html lang> follows. */
function LangSwitch({ ui, action }: { ui: Ui; action: string }) {
  return (
    <form method="post" action={action} hx-boost="false" class="inline lang-switch" aria-label={ui.t('layout.language')}>
      <CsrfField token={ui.csrfToken} />
      {LANGS.map((lang) => (
        <button type="submit" name="lang" value={lang} class={lang === ui.lang ? 'small' : 'small outline secondary'} aria-pressed={lang === ui.lang ? 'true' : 'false'} lang={lang} title={ui.t(`lang.${lang}`)}>
          {lang.toUpperCase()}
        </button>
      ))}
    </form>
  );
}

/** Language links before login (remembered in a cookie). */
function LangLinks({ ui, currentPath }: { ui: Ui; currentPath: string }) {
  return (
    <nav class="lang-links" aria-label={ui.t('layout.language')}>
      {LANGS.map((lang) => (
        <a href={`${currentPath}?lang=${lang}`} hx-boost="false" lang={lang} aria-current={lang === ui.lang ? 'true' : undefined} title={ui.t(`lang.${lang}`)}>{lang.toUpperCase()}</a>
      ))}
    </nav>
  );
}
