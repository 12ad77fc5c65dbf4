/**
 * Group commit: writes submitted during one turn of the event loop are stored by one transaction, and each caller is
 * answered only once that transaction has committed. A commit, not the statements in it, is what a durable write
 * costs (the WAL frames on SQLite, the fsync on PostgreSQL), so a burst of webhooks or task outcomes shares one.
 *
 *   const writer = new GroupCommit((items) => db.transaction().execute((trx) => storeAll(trx, items)));
 *   const stored = await writer.submit(item);     // resolved after the commit that holds it
 *
 * - One batch is in flight at a time; what arrives meanwhile forms the next batch (at most `maxBatch` items).
 * - A failed batch is rolled back whole and its items are written again one by one, so only the culprit fails.
 * - `runBatch` must return one result per item, in order.
 */
export class GroupCommit<Item, Result> {
  private queue: { item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly runBatch: (items: Item[]) => Promise<Result[]>,
    private readonly options: { maxBatch?: number } = {},
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: the requests parsed together are stored together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 256);
        await this.write(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async write(batch: typeof this.queue): Promise<void> {
    try {
      const results = await this.runBatch(batch.map((b) => b.item));
      if (results.length !== batch.length) throw new Error(`Group commit returned ${results.length} results for ${batch.length} items`);
      // As many results as items (checked above); a Result may itself be undefined, so pair them from the results.
      results.forEach((result, i) => batch[i]?.resolve(result));
    } catch (error) {
      const [only] = batch;
      if (batch.length === 1 && only) {
        only.reject(error);
        return;
      }
      for (const one of batch) await this.write([one]);
    }
  }
}
