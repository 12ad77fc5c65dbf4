import type { Ui } from './ui.ts';

/**
 * Previous/next pagination that keeps the current filters. Pages are fetched with one extra row to know whether a
 * next page exists, so no COUNT(*) runs over large tables (API log, tasks).
 */
export function Pagination({ ui, path, query, page, hasNext, total }: { ui: Ui; path: string; query: Record<string, string | undefined>; page: number; hasNext: boolean; total?: number }) {
  const link = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '' && k !== 'page') params.set(k, v);
    if (p > 1) params.set('page', String(p));
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  };
  if (page === 1 && !hasNext) return total !== undefined ? <p class="muted">{ui.t('pagination.total', { n: total })}</p> : <></>;
  return (
    <nav class="pagination" aria-label={ui.t('pagination.label')}>
      {page > 1 ? <a href={link(page - 1)} rel="prev">{ui.t('pagination.prev')}</a> : <span aria-disabled="true" class="muted">{ui.t('pagination.prev')}</span>}
      <span aria-current="page">{ui.t('pagination.page', { n: page })}{total !== undefined ? ` · ${ui.t('pagination.total', { n: total })}` : ''}</span>
      {hasNext ? <a href={link(page + 1)} rel="next">{ui.t('pagination.next')}</a> : <span aria-disabled="true" class="muted">{ui.t('pagination.next')}</span>}
    </nav>
  );
}
