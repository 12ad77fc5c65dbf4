import { ConnectionsService } from '../connections/connections.service.ts';
import type { Hono } from 'hono';
import type { AppContext } from './context.ts';
import type { RouteRegistrar } from '../server/http.app.ts';
import { Worker, DEFAULT_LANES } from '../tasks/task.worker.ts';
import { Scheduler } from '../jobs/scheduler.ts';
import { createConsoleApp } from '../console/console.app.tsx';
import { WebhooksService } from '../webhooks/webhooks.service.ts';
import { WebhookQueueService } from '../webhooks/webhook-queue.service.ts';
import { WebhookIntake } from '../webhooks/webhook.intake.ts';
import { defineWebhookTasks } from '../webhooks/webhook-queue.tasks.ts';
import { mountWebhookRoutes } from '../webhooks/webhooks.routes.ts';
import { ProductImagesService } from '../images/images.service.ts';
import { mountImageRoutes } from '../images/images.routes.ts';
import { ProductsService } from '../products/products.service.ts';
import { defineProductTasks, productTaskOptions, registerProductJobs, type ProductTaskKinds } from '../products/products.tasks.ts';
import { mountOdooHookRoutes, type OdooChangeDispatch } from '../webhooks/odoo-hooks.routes.ts';
import { OrdersService } from '../orders/orders.service.ts';
import { defineOrderTasks } from '../orders/orders.tasks.ts';
import { countsGauge } from '../observability/metrics.ts';
import { ShippingService } from '../shipping/shipping.service.ts';
import { defineShippingTasks } from '../shipping/shipping.tasks.ts';
import { InvoicesService } from '../invoices/invoices.service.ts';
import { defineInvoiceTasks } from '../invoices/invoices.tasks.ts';

/** The capability modules' services, built once per process from the context. */
export interface Services {
  webhooks: WebhooksService;
  webhookQueue: WebhookQueueService;
  intake: WebhookIntake;
  orders: OrdersService;
  shipping: ShippingService;
  invoices: InvoicesService;
  products: ProductsService;
  images: ProductImagesService;
  productKinds: ProductTaskKinds;
}

/**
 * Where the capability modules are assembled for a process: their services, task kinds, job handlers, public
 * routes, the console, and the background parts (workers, scheduler). Each module adds itself here, in one place.
 * The CLI builds the same (without starting anything), so a command sees the same task kinds as a worker.
 */
export interface ServiceModules {
  services: Services;
  routes: RouteRegistrar[];
  console: Hono | null;
  startBackground(): Promise<void>;
  /** Stops the scheduler and the workers: stop claiming, wait up to drainMs for running work, release leases. */
  stopBackground(drainMs: number): Promise<void>;
}

export interface ModuleOptions {
  /** Concurrency per lane of this process's worker. */
  lanes?: Record<string, number>;
  /** Without the console (CLI commands, work processes). */
  withConsole?: boolean;
}

export function buildServices(ctx: AppContext): Services {
  const webhooks = new WebhooksService(ctx.db, ctx.clock, ctx.secrets, ctx.config.publicUrl);
  const webhookQueue = new WebhookQueueService(ctx.tasks, ctx.clock);
  const intake = new WebhookIntake(webhooks, ctx.tasks, ctx.clock, ctx.logger, { maxBodyBytes: ctx.config.webhookMaxBodyBytes });
  defineWebhookTasks(ctx.taskRegistry, webhookQueue);
  ctx.jobs.setHandler('process-webhook-queue', async () => webhookQueue.sweep());
  ctx.jobs.setHandler('webhook-queue-cleaning', async () => ({ removed: await webhookQueue.clean() }));
  const orders = new OrdersService(ctx, webhookQueue);
  defineOrderTasks(ctx, orders, webhookQueue);
  ctx.metrics.addCollector(countsGauge('poleepo_odoo_webhook_messages', 'Messages in the webhook queue by status (pending = In Attesa, done = Completato, failed = Fallito, received = Ricevuto)', 'status', () => webhookQueue.repo.countByStatus()));
  // Shipping with Poleepo (DESIGN §4.7): shares the order import's connections (and their clients).
  const shipping = new ShippingService({ db: ctx.db, clock: ctx.clock, logger: ctx.logger, tasks: ctx.tasks, connections: orders.connections, orders: orders.repo });
  defineShippingTasks(ctx, shipping, webhookQueue);
  ctx.metrics.addCollector(countsGauge('poleepo_odoo_shipments', 'Shipments by step (creating, labelling, ready, shipped, done, refused)', 'step', () => shipping.repo.countByStep()));
  // Invoices to Poleepo and documents from Poleepo (DESIGN §4.8): the same connections and order bindings.
  const invoices = new InvoicesService({ db: ctx.db, clock: ctx.clock, logger: ctx.logger, tasks: ctx.tasks, connections: orders.connections, orders: orders.repo });
  defineInvoiceTasks(ctx, invoices);
  ctx.metrics.addCollector(countsGauge('poleepo_odoo_invoices', 'Invoices and credit notes by step (creating, posting, rendering, uploading, sent, failed)', 'step', () => invoices.repo.countByStep()));
  ctx.metrics.addCollector(countsGauge('poleepo_odoo_orders', 'Poleepo orders known to the connector by import state', 'state', () => orders.repo.countByState()));
  // Product export (DESIGN §4.2–§4.4) and its signed image URLs (§4.3.1).
  const images: ProductImagesService = new ProductImagesService({
    db: ctx.db, secrets: ctx.secrets, clock: ctx.clock, logger: ctx.logger, publicUrl: ctx.config.publicUrl,
    odooFor: (connectionId) => products.odooClient(connectionId),
  });
  const products = new ProductsService(ctx, images);
  const productKinds = defineProductTasks(ctx, products);
  registerProductJobs(ctx, productKinds, new ConnectionsService(ctx));
  return { webhooks, webhookQueue, intake, orders, shipping, invoices, products, images, productKinds };
}

/** An Odoo notification's model picks what runs now: the orders' Odoo changes, or the product change detection. */
export function odooChangeDispatch(ctx: AppContext, services: Services): OdooChangeDispatch {
  const generate = services.productKinds.generate;
  return (connectionId, model) => (model === 'sale.order'
    ? services.orders.queueOdooChanges(connectionId)
    : ctx.tasks.enqueue(generate, { connectionId }, productTaskOptions(generate.kind, connectionId)));
}

export async function buildModules(ctx: AppContext, options: ModuleOptions = {}): Promise<ServiceModules> {
  const services = buildServices(ctx);
  const worker = new Worker({
    queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics,
    workerId: ctx.processId, lanes: options.lanes ?? DEFAULT_LANES,
  });
  const scheduler = new Scheduler({ jobs: ctx.jobs, clock: ctx.clock, logger: ctx.logger });
  let started = false;
  return {
    services,
    routes: [
      (app) => mountWebhookRoutes(app, services.intake),
      (app) => mountOdooHookRoutes(app, ctx, odooChangeDispatch(ctx, services)),
      (app) => mountImageRoutes(app, services.images),
    ],
    console: options.withConsole === false ? null : (createConsoleApp(ctx, { modules: services }) as unknown as Hono),
    startBackground: async () => {
      worker.start();
      scheduler.start();
      started = true;
    },
    stopBackground: async (drainMs) => {
      if (!started) return;
      started = false;
      await scheduler.stop();
      await worker.stop({ timeoutMs: drainMs });
    },
  };
}
