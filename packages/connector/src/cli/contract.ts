/**
 * The CLI contract of DESIGN §3.1. Command modules in ./commands register what works; anything listed here that no
 * module registered is answered plainly with exit code 2 ("not available yet"), so the contract is always whole.
 */
export interface ContractCommand {
  path: string[];
  summary: string;
  /** What brings it (shown when it is not available yet). */
  arrivesWith: string;
}

export const CLI_CONTRACT: ContractCommand[] = [
  { path: ['start'], summary: 'HTTP server, workers and scheduler in one process', arrivesWith: 'the foundation' },
  { path: ['serve'], summary: 'HTTP only (PostgreSQL)', arrivesWith: 'the foundation' },
  { path: ['work'], summary: 'workers and scheduler only (PostgreSQL)', arrivesWith: 'the foundation' },
  { path: ['demo'], summary: 'start with the built-in Odoo emulator and Poleepo sandbox, seeded, flows running', arrivesWith: 'the demo' },
  { path: ['migrate'], summary: 'create or upgrade the database schema', arrivesWith: 'the foundation' },
  { path: ['user', 'add'], summary: 'create a console user', arrivesWith: 'the foundation' },
  { path: ['user', 'list'], summary: 'list console users', arrivesWith: 'the foundation' },
  { path: ['user', 'passwd'], summary: 'set a new password for a console user', arrivesWith: 'the foundation' },
  { path: ['user', 'disable'], summary: 'stop a console user logging in', arrivesWith: 'the foundation' },
  { path: ['connection', 'add'], summary: 'connect an Odoo company to a Poleepo account', arrivesWith: 'connections' },
  { path: ['connection', 'list'], summary: 'list connections', arrivesWith: 'connections' },
  { path: ['connection', 'test'], summary: 'check both sides of a connection', arrivesWith: 'connections' },
  { path: ['connection', 'remove'], summary: 'remove a connection', arrivesWith: 'connections' },
  { path: ['odoo', 'check'], summary: 'probe Odoo version, rights and what is provisioned', arrivesWith: 'Odoo provisioning' },
  { path: ['odoo', 'provision'], summary: 'create the Poleepo fields, views and buttons in Odoo', arrivesWith: 'Odoo provisioning' },
  { path: ['products', 'sync'], summary: 'build and send product batches now', arrivesWith: 'product export' },
  { path: ['products', 'preview'], summary: 'print the exact Poleepo payload of one product', arrivesWith: 'product export' },
  { path: ['products', 'publish'], summary: 'set Published on Poleepo', arrivesWith: 'product export' },
  { path: ['products', 'unpublish'], summary: 'clear Published on Poleepo', arrivesWith: 'product export' },
  { path: ['batches', 'list'], summary: 'list product batches', arrivesWith: 'product export' },
  { path: ['batches', 'show'], summary: 'show one product batch', arrivesWith: 'product export' },
  { path: ['orders', 'list'], summary: 'list imported orders', arrivesWith: 'order import' },
  { path: ['orders', 'import'], summary: 'import orders from Poleepo', arrivesWith: 'order import' },
  { path: ['orders', 'show'], summary: 'show one imported order', arrivesWith: 'order import' },
  { path: ['queue', 'list'], summary: 'list the webhook queue', arrivesWith: 'webhooks' },
  { path: ['queue', 'show'], summary: 'show one webhook message', arrivesWith: 'webhooks' },
  { path: ['queue', 'retry'], summary: 'retry one webhook message', arrivesWith: 'webhooks' },
  { path: ['queue', 'clean'], summary: 'remove processed webhook messages', arrivesWith: 'webhooks' },
  { path: ['tasks', 'list'], summary: 'list internal tasks', arrivesWith: 'the foundation' },
  { path: ['tasks', 'show'], summary: 'show one task', arrivesWith: 'the foundation' },
  { path: ['tasks', 'retry'], summary: 'retry a dead task', arrivesWith: 'the foundation' },
  { path: ['webhooks', 'add'], summary: 'create a Poleepo webhook and print its URL', arrivesWith: 'webhooks' },
  { path: ['webhooks', 'list'], summary: 'list webhooks', arrivesWith: 'webhooks' },
  { path: ['webhooks', 'remove'], summary: 'remove a webhook', arrivesWith: 'webhooks' },
  { path: ['jobs', 'list'], summary: 'list scheduled jobs', arrivesWith: 'the foundation' },
  { path: ['jobs', 'run'], summary: 'run a scheduled job now', arrivesWith: 'the foundation' },
  { path: ['jobs', 'enable'], summary: 'enable a scheduled job', arrivesWith: 'the foundation' },
  { path: ['jobs', 'disable'], summary: 'disable a scheduled job', arrivesWith: 'the foundation' },
  { path: ['jobs', 'set-interval'], summary: 'change how often a job runs', arrivesWith: 'the foundation' },
  { path: ['logs'], summary: 'read the API log', arrivesWith: 'the foundation' },
  { path: ['sandbox', 'poleepo'], summary: 'run the Poleepo sandbox alone', arrivesWith: 'the Poleepo sandbox' },
  { path: ['sandbox', 'odoo'], summary: 'run the Odoo emulator alone', arrivesWith: 'the Odoo emulator' },
  { path: ['package-types', 'sync'], summary: 'read Poleepo\'s package types', arrivesWith: 'shipping' },
  { path: ['package-types', 'list'], summary: 'list Poleepo and Odoo package types and the map', arrivesWith: 'shipping' },
  { path: ['package-types', 'map'], summary: 'ship an Odoo package type as a Poleepo one', arrivesWith: 'shipping' },
  { path: ['shipping', 'list'], summary: 'list shipments made with Poleepo', arrivesWith: 'shipping' },
  { path: ['shipping', 'show'], summary: 'show whether a delivery can ship, and its shipment', arrivesWith: 'shipping' },
  { path: ['shipping', 'ship'], summary: 'ship a validated delivery with Poleepo', arrivesWith: 'shipping' },
  { path: ['shipping', 'handover'], summary: 'tell Poleepo the courier has the parcel', arrivesWith: 'shipping' },
  { path: ['invoices', 'list'], summary: 'list invoices and credit notes sent to Poleepo', arrivesWith: 'invoices' },
  { path: ['invoices', 'send'], summary: 'invoice an order now, or send it again', arrivesWith: 'invoices' },
  { path: ['documents', 'list'], summary: 'list the documents Poleepo holds for an order', arrivesWith: 'invoices' },
  { path: ['documents', 'import'], summary: 'import now the documents Poleepo holds for an order (or every recent order) into Odoo', arrivesWith: 'invoices' },
];
