import type { Db } from '../../storage/db.ts';
import { connectionNames, type ConnectionName } from '../console.lookups.ts';
import type { Ui } from './ui.ts';

export interface ConnectionPick {
  /** The connection the page works on; null when the person has to choose (or there is none). */
  chosen: ConnectionName | null;
  all: ConnectionName[];
  /** What `?connection=` asked for when no connection has that name or id. */
  unknown: string | null;
}

/**
 * The connection a page is about: the one named (or numbered) in `?connection=`, else the only one. Odoo's buttons
 * name it (`?connection=NAME`); filters send its id. With several and none named, the page asks.
 */
export async function pickConnection(db: Db, ref: string | undefined): Promise<ConnectionPick> {
  const all = await connectionNames(db);
  const asked = (ref ?? '').trim();
  if (asked !== '') {
    const chosen = all.find((x) => x.name === asked) ?? (/^\d{1,9}$/.test(asked) ? all.find((x) => x.id === Number(asked)) : undefined);
    return chosen ? { chosen, all, unknown: null } : { chosen: null, all, unknown: asked };
  }
  return { chosen: all.length === 1 ? all[0]! : null, all, unknown: null };
}

/** Links to the same page for each connection (the page is about one connection at a time). */
export function ConnectionChooser({ ui, all, href }: { ui: Ui; all: ConnectionName[]; href: (connection: ConnectionName) => string }) {
  const { t } = ui;
  if (all.length === 0) return <p class="flash flash-info">{t('connectionPick.none')}</p>;
  return (
    <nav aria-label={t('connectionPick.label')}>
      <p>{t('connectionPick.choose')}</p>
      <ul>
        {all.map((x) => <li><a href={href(x)}>{x.name}</a></li>)}
      </ul>
    </nav>
  );
}
