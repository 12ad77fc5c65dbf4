import type { GaugeCollector } from '../server/metrics.ts';
import type { OrdersRepo } from './orders.repo.ts';

/** `poleepo_odoo_orders{state}`: imported orders by state (parked and refused ones wait for a person), at scrape time. */
export function ordersGaugeCollector(repo: OrdersRepo): GaugeCollector {
  return {
    name: 'poleepo_odoo_orders',
    help: 'Poleepo orders known to the connector by import state',
    collect: async () => Object.entries(await repo.countByState()).map(([state, value]) => ({ labels: { state }, value })),
  };
}
