import { SandboxAuth } from './poleepo-sandbox.auth.ts';
import { SandboxBatches } from './poleepo-sandbox.batches.ts';
import { SandboxCatalog } from './poleepo-sandbox.catalog.ts';
import { SandboxOrders } from './poleepo-sandbox.orders.ts';
import { seedProducts, seedReferenceData } from './poleepo-sandbox.seed.ts';
import { SandboxShippings } from './poleepo-sandbox.shippings.ts';
import type { SandboxClient } from './poleepo-sandbox.types.ts';
import { Rng } from './poleepo-sandbox.util.ts';

/** Everything the sandbox's one Poleepo account holds; tests read and change it directly. */
export class PoleepoSandboxState {
  readonly auth: SandboxAuth;
  readonly catalog = new SandboxCatalog();
  readonly batches: SandboxBatches;
  readonly orders: SandboxOrders;
  readonly shippings: SandboxShippings;

  constructor(options: { clients: SandboxClient[]; randomSeed: number; seedProducts: boolean; now: number }) {
    this.auth = new SandboxAuth(options.clients);
    this.batches = new SandboxBatches(this.catalog);
    this.orders = new SandboxOrders(this.catalog, new Rng(options.randomSeed));
    this.shippings = new SandboxShippings(this.orders);
    seedReferenceData(this.catalog, this.shippings);
    if (options.seedProducts) seedProducts(this.catalog, options.now);
  }

  /** Work that is due by the sandbox clock (batch processing); run before every request. */
  tick(now: number): void {
    this.batches.processDue(now);
  }
}
