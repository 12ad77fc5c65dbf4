/**
 * The x_poleepo_* fields of DESIGN §4.9 — a contract other modules and tools read: exact names and types, never
 * copied when a user duplicates a record, the sale order's Poleepo id indexed (it is the idempotency key of order
 * import). `companyScoped` marks the product fields, created company-dependent when two companies of one Odoo
 * database are connected (provisioning.companies.ts).
 */

export const POLEEPO_MODULE = 'poleepo_connector';

export type PoleepoFieldType = 'boolean' | 'char' | 'float';

export interface PoleepoField {
  model: 'product.product' | 'sale.order' | 'stock.picking';
  name: string;
  type: PoleepoFieldType;
  label: string;
  help: string;
  index?: boolean;
  /** A product field: company-dependent when the database holds several connected companies. */
  companyScoped: boolean;
}

const product = (name: string, type: PoleepoFieldType, label: string, help: string): PoleepoField => ({ model: 'product.product', name, type, label, help, companyScoped: true });

export const POLEEPO_FIELDS: readonly PoleepoField[] = [
  product('x_poleepo_published', 'boolean', 'Published on Poleepo', 'Send this variant to Poleepo (select several variants in the list and tick it once to set it on all of them).'),
  product('x_poleepo_sku', 'char', 'SKU for Poleepo', 'The SKU sent to Poleepo; empty: the internal reference.'),
  product('x_poleepo_ref', 'char', 'Poleepo Product ID', 'The id Poleepo gave this variant; empty while it is new. Set by the connector.'),
  product('x_poleepo_needs_update', 'boolean', 'Needs Update', 'Set by the connector when the name, a price or the quantity changed; tick it to force a resend.'),
  product('x_poleepo_upc', 'char', 'UPC', 'UPC code sent to Poleepo (the EAN is the barcode).'),
  product('x_poleepo_isbn', 'char', 'ISBN', 'ISBN sent to Poleepo.'),
  product('x_poleepo_mpn', 'char', 'MPN', 'Manufacturer part number sent to Poleepo.'),
  // Centimetres, as the label says and as sent (Poleepo takes cm): a merchant's 30 is 30 cm. `provision` updates the
  // labels of installations made before the unit was shown.
  product('x_poleepo_width', 'float', 'Width (cm)', 'Width in centimetres, sent to Poleepo as typed.'),
  product('x_poleepo_height', 'float', 'Height (cm)', 'Height in centimetres, sent to Poleepo as typed.'),
  product('x_poleepo_depth', 'float', 'Depth (cm)', 'Depth in centimetres, sent to Poleepo as typed.'),
  product('x_poleepo_last_error', 'char', 'Poleepo Last Error', 'The last error Poleepo or the connector reported for this variant.'),
  { model: 'sale.order', name: 'x_poleepo_order_id', type: 'char', label: 'Poleepo Order ID', help: 'The order id on Poleepo (set by the connector; the key that keeps an order from being imported twice).', index: true, companyScoped: false },
  { model: 'sale.order', name: 'x_poleepo_status', type: 'char', label: 'Poleepo Status', help: 'The order status on Poleepo.', companyScoped: false },
  { model: 'sale.order', name: 'x_poleepo_channel', type: 'char', label: 'Poleepo Channel', help: 'The sales channel the order came from.', companyScoped: false },
  { model: 'sale.order', name: 'x_poleepo_url', type: 'char', label: 'Poleepo Order Link', help: 'The order on Poleepo.', companyScoped: false },
  { model: 'sale.order', name: 'x_poleepo_payment_method', type: 'char', label: 'Poleepo Payment Method', help: 'How the buyer paid, as Poleepo names it (CASH_ON_DELIVERY: the courier collects the amount below).', companyScoped: false },
  { model: 'sale.order', name: 'x_poleepo_cod_amount', type: 'float', label: 'Cash on Delivery', help: 'What the courier collects on delivery (0: paid in advance); the Poleepo shipment carries it.', companyScoped: false },
  { model: 'stock.picking', name: 'x_poleepo_shipment_id', type: 'char', label: 'Poleepo Shipment ID', help: 'The shipment on Poleepo.', companyScoped: false },
  { model: 'stock.picking', name: 'x_poleepo_courier', type: 'char', label: 'Poleepo Courier', help: 'The courier Poleepo booked.', companyScoped: false },
  { model: 'stock.picking', name: 'x_poleepo_status', type: 'char', label: 'Poleepo Shipment Status', help: 'The shipment status on Poleepo.', companyScoped: false },
  { model: 'stock.picking', name: 'x_poleepo_requested', type: 'char', label: 'Poleepo Request', help: 'The last Poleepo button pressed on this delivery and when (read by the connector).', companyScoped: false },
];

/** `field_<model>__<name>`, Odoo's own naming of field xmlids. */
export function fieldXmlid(field: Pick<PoleepoField, 'model' | 'name'>): string {
  return `field_${field.model.replace(/\./g, '_')}__${field.name}`;
}
