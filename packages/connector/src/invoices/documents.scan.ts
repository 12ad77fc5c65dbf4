import type { OrderConnection } from '../orders/orders.connections.ts';
import type { InvoicesRepo } from './invoices.repo.ts';

const DAY_MS = 86_400_000;

/** Where the scan stands (the `documents_scan` cursor): going through binding ids after `afterId`, or resting. */
export interface DocumentScanState {
  /** When the scan under way started (its window is counted from then); null when resting. */
  startedAt: number | null;
  afterId: number;
  /** When the last complete scan ended (the next starts `everyMs` later). */
  finishedAt: number | null;
}

const RESTING: DocumentScanState = { startedAt: null, afterId: 0, finishedAt: null };

function parseState(cursor: string | null): DocumentScanState {
  if (!cursor) return RESTING;
  try {
    const v = JSON.parse(cursor) as Partial<DocumentScanState>;
    return { startedAt: typeof v.startedAt === 'number' ? v.startedAt : null, afterId: typeof v.afterId === 'number' ? v.afterId : 0, finishedAt: typeof v.finishedAt === 'number' ? v.finishedAt : null };
  } catch {
    return RESTING; // unreadable: start over (a scan only queues idempotent imports)
  }
}

/**
 * The periodic scan of recent orders' Poleepo documents (DESIGN §4.8). Invoice Sync queues the documents of orders that
 * changed; a document Poleepo adds later to an order that does not change (an invoice made in Poleepo a week after)
 * would never be seen. So, per connection, every imported order of the last `documentScan.days` days is looked at
 * again: `ordersPerRun` of them per Invoice Sync run (the Poleepo calls spread over runs), by binding id from where the
 * previous run stopped, and once through, the scan rests `everyMs`. It only chooses orders: the `documents.import`
 * task imports each document once (by its Poleepo id), so scanning an order again costs one Poleepo read.
 */
export class DocumentScan {
  constructor(private readonly repo: InvoicesRepo) {}

  /** The next page of orders to look at for this run (none while resting or when the scan is off). */
  async nextPage(conn: OrderConnection, now: number): Promise<string[]> {
    const { days, everyMs, ordersPerRun } = conn.view.settings.documentScan;
    if (days === 0) return [];
    const connectionId = conn.view.id;
    let state = parseState(await this.repo.cursor(connectionId, 'documents_scan'));
    if (state.startedAt === null) {
      if (state.finishedAt !== null && now - state.finishedAt < everyMs) return [];
      state = { startedAt: now, afterId: 0, finishedAt: state.finishedAt };
    }
    const page = await this.repo.ordersForDocumentScan(connectionId, state.startedAt! - days * DAY_MS, state.afterId, ordersPerRun);
    state = page.length < ordersPerRun
      ? { startedAt: null, afterId: 0, finishedAt: now }
      : { ...state, afterId: page[page.length - 1]!.id };
    await this.repo.setCursor(connectionId, 'documents_scan', JSON.stringify(state), now);
    return page.map((r) => r.poleepo_order_id);
  }

  /** Every order of the window now, page by page (a person's "import documents now"); the periodic scan is untouched. */
  async allOrders(conn: OrderConnection, now: number): Promise<string[]> {
    const { days, ordersPerRun } = conn.view.settings.documentScan;
    const since = now - Math.max(days, 1) * DAY_MS;
    const out: string[] = [];
    for (let afterId = 0; ;) {
      const page = await this.repo.ordersForDocumentScan(conn.view.id, since, afterId, Math.max(ordersPerRun, 200));
      out.push(...page.map((r) => r.poleepo_order_id));
      if (page.length === 0) return out;
      afterId = page[page.length - 1]!.id;
    }
  }
}
