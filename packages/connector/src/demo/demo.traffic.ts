import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

const CHANNELS = ['Amazon', 'eBay', 'Shopify', 'Amazon', 'Zalando', 'ManoMano'] as const;

export interface TrafficDeps {
  clock: Clock;
  logger: Logger;
  /** Base URL of the Poleepo sandbox (its control API drives the orders). */
  sandboxUrl: string;
  /** SKUs that customers may order (published products). */
  skus: () => Promise<string[]>;
  /** A change made in Odoo (a stock move or a price change) that must flow out to Poleepo. */
  changeSomethingInOdoo: () => Promise<string | null>;
  orderEveryMs: number;
  changeEveryMs: number;
  random?: () => number;
}

/**
 * The demo's customers and back office: orders placed on marketplaces through the sandbox's control API (delivered
 * to the connector as signed webhooks), and stock and price changes made in Odoo, at a steady pace.
 */
export class DemoTraffic {
  private abort = new AbortController();
  private loops: Promise<void>[] = [];
  readonly placed: { id: number; channel: string }[] = [];
  readonly changes: string[] = [];
  private readonly random: () => number;

  constructor(private readonly deps: TrafficDeps) {
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    this.loops = [
      this.every(this.deps.orderEveryMs, () => this.placeOrder()),
      this.every(this.deps.changeEveryMs, async () => {
        const change = await this.deps.changeSomethingInOdoo();
        if (change) this.changes.push(change);
      }),
    ];
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  async placeOrder(): Promise<{ id: number; channel: string } | null> {
    const skus = await this.deps.skus();
    if (skus.length === 0) return null;
    const lines = Array.from({ length: 1 + Math.floor(this.random() * 3) }, () => ({
      sku: skus[Math.floor(this.random() * skus.length)],
      quantity: 1 + Math.floor(this.random() * 2),
    }));
    const unique = [...new Map(lines.map((l) => [l.sku, l])).values()];
    const channel = CHANNELS[Math.floor(this.random() * CHANNELS.length)] ?? CHANNELS[0]; // random() < 1, but a seeded one may return 1
    const res = await fetch(`${this.deps.sandboxUrl}/__sandbox/orders`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      // random_extras: like real buyers, some pay cash on delivery, use a promotion or a voucher, or pay in pounds.
      body: JSON.stringify({ channel, lines: unique, shipping_cost: this.random() < 0.5 ? 4.9 : 0, random_extras: true }),
    });
    if (!res.ok) throw new Error(`sandbox refused the order: ${res.status} ${await res.text()}`);
    const order = (await res.json()) as { id: number };
    const placed = { id: order.id, channel };
    this.placed.push(placed);
    this.deps.logger.info({ poleepoOrderId: order.id, channel, lines: unique.length }, 'demo: a customer placed an order');
    return placed;
  }

  private async every(ms: number, fn: () => Promise<unknown>): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await this.deps.clock.sleep(ms, signal);
      if (signal.aborted) return;
      try {
        await fn();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'demo traffic step failed');
      }
    }
  }
}
