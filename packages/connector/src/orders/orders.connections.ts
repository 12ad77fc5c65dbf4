import type { AppContext } from '../app/context.ts';
import { ConnectionsService } from '../connections/connections.service.ts';
import { odooClientFor } from '../connections/connections.odoo.ts';
import type { ConnectionView } from '../connections/connections.types.ts';
import type { OdooClient, OdooClientOptions } from '../odoo/odoo.client.ts';
import type { PoleepoClient, PoleepoClientDeps } from '../poleepo/poleepo.client.ts';
import { poleepoClientFor } from '../poleepo/poleepo.factory.ts';
import { NotConfiguredError } from '../shared/errors.ts';
import { OdooReferenceData } from './orders.odoo-data.ts';

const RECHECK_MS = 2_000;

/** A connection as the order import uses it: its settings, both clients and the Odoo reference data. */
export interface OrderConnection {
  view: ConnectionView;
  odoo: OdooClient;
  poleepo: PoleepoClient;
  data: OdooReferenceData;
}

/** Client overrides (tests shorten the Odoo timeout to provoke an ambiguous failure without waiting a minute). */
export interface OrderClientOverrides {
  odoo?: Partial<OdooClientOptions>;
  poleepo?: Partial<PoleepoClientDeps>;
}

/**
 * Clients are kept per connection (their probe, fields_get cache and reference data survive between imports) and
 * rebuilt when the connection changes (its `updated_at`).
 */
export class OrderConnections {
  private readonly connections: ConnectionsService;
  private readonly cache = new Map<number, { updatedAt: number; checkedAt: number; value: Promise<OrderConnection> }>();

  constructor(private readonly ctx: AppContext, private readonly overrides: OrderClientOverrides = {}) {
    this.connections = new ConnectionsService(ctx);
  }

  async get(connectionId: number): Promise<OrderConnection> {
    const hit = this.cache.get(connectionId);
    // A change to the connection is picked up within a couple of seconds; in between, no query per import.
    if (hit && this.ctx.clock.now() - hit.checkedAt < RECHECK_MS) return hit.value;
    const view = await this.connections.get(connectionId);
    if (hit && hit.updatedAt === view.updatedAt) {
      hit.checkedAt = this.ctx.clock.now();
      return hit.value;
    }
    const value = this.build(view);
    this.cache.set(connectionId, { updatedAt: view.updatedAt, checkedAt: this.ctx.clock.now(), value });
    value.catch(() => {
      if (this.cache.get(connectionId)?.value === value) this.cache.delete(connectionId);
    });
    return value;
  }

  /** Active connections with both sides configured (Order Polling's list). */
  async active(): Promise<ConnectionView[]> {
    return (await this.connections.list()).filter((c) => c.active && c.poleepo.clientId);
  }

  private async build(view: ConnectionView): Promise<OrderConnection> {
    if (!view.poleepo.clientId) throw new NotConfiguredError(`Connection "${view.name}" has no Poleepo credentials: orders cannot be read`);
    const secrets = await this.connections.secrets(view.id);
    const odoo = await odooClientFor(this.ctx, view, this.overrides.odoo);
    const poleepo = poleepoClientFor(this.ctx, view, secrets.poleepoClientSecret, this.overrides.poleepo);
    return { view, odoo, poleepo, data: new OdooReferenceData(odoo, view.odoo.companyId, this.ctx.clock) };
  }
}
