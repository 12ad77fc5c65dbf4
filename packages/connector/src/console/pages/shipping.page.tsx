import type { Child } from 'hono/jsx';
import { definePage, type ConsoleContext } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, isHtmx, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, FilterBar, SelectField, TextField } from '../components/forms.tsx';
import { Badge, type Tone } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { formatDimensionsCm, formatKg, formatMoney } from '../components/numbers.ts';
import { ConnectionChooser, pickConnection } from '../components/connection-pick.tsx';
import { said } from '../components/said.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import type { ConnectionName } from '../console.lookups.ts';
import { connectionNames } from '../console.lookups.ts';
import { OrdersRepo } from '../../orders/orders.repo.ts';
import { ShipmentsRepo, type ShipmentListRow } from '../../shipping/shipments.repo.ts';
import { DeliveryNotFoundError, ShipRefusedError, type ShipPreview, type ShippingService } from '../../shipping/shipping.service.ts';
import type { ShipProblem } from '../../shipping/shipping.eligibility.ts';
import { parseShipRequest, type ShipRequest } from '../../shipping/shipping.request.ts';
import type { DeliveryPicking } from '../../shipping/shipping.odoo.ts';
import type { PackageTypeMappingRow, PoleepoPackageTypeRow, ShipmentRow, ShipmentStep } from '../../shipping/shipping.tables.ts';
import { STATUS_ITALIAN, isShippingStatus } from '../../shipping/shipping.status.ts';
import type { PoleepoCarrier, PoleepoPickupAddress } from '../../poleepo/poleepo.types.ts';
import { ValidationError, errorMessage } from '../../shared/errors.ts';

/**
 * Shipping with Poleepo (DESIGN §4.7) for people: the page Odoo's "Spedisci con Poleepo" button opens
 * (`/shipping/picking/:id?connection=NAME`) — the delivery, its packages, every reason it cannot ship, or the choices
 * Poleepo offers and the button — then the shipment itself, refreshing itself while the label is being made. And the
 * list of the deliveries of imported orders with where each stands. Everything goes through ShippingService, the
 * same facade as the CLI (`shipping show|ship|handover`), so both say and do the same.
 */

/** Deliveries read from Odoo per connection (the newest imported orders'); the list says so. */
const DELIVERY_LIMIT = 100;
/** While a shipment is being made, its box asks again this often (the label usually takes a few seconds). */
const POLL_EVERY = '2s';

/** Where a delivery stands for the person shipping it (the list's filter). */
const DELIVERY_STATES = ['toValidate', 'readyToShip', 'inProgress', 'labelReady', 'shipped', 'delivered', 'cancelled', 'refused'] as const;
type DeliveryState = (typeof DELIVERY_STATES)[number];

const STATE_TONE: Record<DeliveryState, Tone> = {
  toValidate: 'muted', readyToShip: 'info', inProgress: 'warn', labelReady: 'info', shipped: 'ok', delivered: 'ok', cancelled: 'muted', refused: 'error',
};
const STEP_TONE: Record<ShipmentStep, Tone> = { creating: 'warn', labelling: 'warn', ready: 'info', shipped: 'ok', done: 'ok', refused: 'error' };
const ODOO_STATES = ['draft', 'waiting', 'confirmed', 'assigned', 'done', 'cancel'] as const;
const PROBLEM_CODES = ['NOT_A_DELIVERY', 'NOT_DONE', 'NOT_FROM_POLEEPO', 'ALREADY_SHIPPED', 'IN_PROGRESS', 'NO_PACKAGES', 'PACKAGE_WITHOUT_TYPE', 'TYPE_NOT_MAPPED', 'POLEEPO_TYPE_GONE', 'NO_WEIGHT', 'TOO_HEAVY'] as const;

const messages = defineMessages({
  en: {
    'shipping.nav': 'Shipping',
    'shipping.title': 'Shipping',
    'shipping.intro': 'Deliveries of the orders imported from Poleepo and where each shipment stands. Open a delivery to ship it with Poleepo: its label lands on the delivery and in the order\'s chatter in Odoo.',
    'shipping.unavailable': 'Shipping is not available in this process: the console runs without the connector\'s services.',
    'shipping.limit': 'Deliveries of the latest {n} imported orders of each connection.',
    'shipping.state': 'Shipping state',
    'shipping.connection': 'Connection',
    'shipping.search': 'Search',
    'shipping.searchHint': 'Delivery, sale order, Poleepo order, customer or tracking code',
    'shipping.empty': 'No delivery matches.',
    'shipping.delivery': 'Delivery',
    'shipping.order': 'Sale order',
    'shipping.poleepoOrder': 'Poleepo order',
    'shipping.customer': 'Customer',
    'shipping.odooState': 'State in Odoo',
    'shipping.courier': 'Courier',
    'shipping.tracking': 'Tracking code',
    'shipping.courierTracking': 'Courier and tracking',
    'shipping.label': 'Label',
    'shipping.actions': 'Actions',
    'shipping.noOrder': 'no sale order',
    'shipping.open': 'Ship…',
    'shipping.openOf': 'Ship {name}',
    'shipping.handOver': 'Handed to courier',
    'shipping.handOverOf': 'Handed to courier: {name}',
    'shipping.handOverRequested': 'Hand-over sent to Poleepo',
    'shipping.downloadLabel': 'Download',
    'shipping.downloadLabelOf': 'Download the label of {name}',
    'shipping.odooUnreachable': 'Could not read the deliveries of {connection} from Odoo: {reason}',
    'shipping.recent.title': 'Recent shipments',
    'shipping.recent.intro': 'Read from the connector, without Odoo: the latest shipments made with Poleepo.',
    'shipping.recent.empty': 'No shipment yet.',
    'shipping.step': 'Step',
    'shipping.poleepoStatus': 'Poleepo status',
    'shipping.updated': 'Updated',
    'shipping.back': '← All deliveries',

    'shipping.picking.title': 'Delivery {name}',
    'shipping.picking.notFound': 'There is no delivery with id {id} in Odoo for the connection {connection}.',
    'shipping.picking.unreachable': 'Could not read the delivery from Odoo or Poleepo: {reason}',
    'shipping.validated': 'Validated on',
    'shipping.packages.title': 'Packages',
    'shipping.packages.empty': 'No package: the products were not put in packs.',
    'shipping.package': 'Package',
    'shipping.packageType': 'Package type',
    'shipping.weight': 'Weight (kg)',
    'shipping.shipsAs': 'Ships as (Poleepo)',
    'shipping.dimensions': 'Dimensions (cm)',
    'shipping.noType': 'none',
    'shipping.problems.title': 'Cannot ship with Poleepo yet',
    'shipping.problems.intro': 'Nothing was sent to Poleepo. Fix these in Odoo (or on the Package types page), then reload this page:',
    'shipping.problems.packageTypes': 'Open Package types',
    'shipping.form.title': 'Ship with Poleepo',
    'shipping.form.pickup': 'Pickup address',
    'shipping.form.default': 'default',
    'shipping.form.courier': 'Courier and service',
    'shipping.form.priceNote': 'Prices are Poleepo\'s quotes for the total weight of the parcels ({weight}).',
    'shipping.form.noPrice': 'no price quoted',
    'shipping.form.noPickup': 'Poleepo has no pickup address for this account: add one in Poleepo first.',
    'shipping.form.noCourier': 'Poleepo offers no courier for this account: set one up in Poleepo first.',
    'shipping.ship.queued': '{name}: shipment requested. The label is being made.',
    'shipping.ship.already': '{name} is already being shipped: following that shipment.',
    'shipping.ship.refused': 'Not shipped: the delivery cannot ship yet, see the reasons below.',
    'shipping.ship.failed': 'Not shipped: {reason}',
    'shipping.handOver.queued': '{name}: hand-over sent to Poleepo.',
    'shipping.handOver.failed': 'Hand-over not sent: {reason}',
    'shipping.refresh': 'Refresh from Poleepo',
    'shipping.refresh.queued': '{name}: asking Poleepo for the latest status.',
    'shipping.refresh.none': '{name} has no shipment to refresh.',

    'shipping.shipment.title': 'Shipment',
    'shipping.shipment.none': 'This delivery has no shipment yet.',
    'shipping.shipment.poleepoId': 'Poleepo shipment',
    'shipping.shipment.cod': 'Cash on delivery',
    'shipping.shipment.noCod': 'None',
    'shipping.shipment.noLabel': 'not yet',
    'shipping.shipment.requested': 'Requested',
    'shipping.shipment.shippedAt': 'Handed over',
    'shipping.shipment.deliveredAt': 'Delivered',
    'shipping.shipment.error': 'Error:',
    'shipping.shipment.shipAgain': 'Choose other options and ship again',
    'shipping.explain.creating': 'Asking Poleepo for the shipment… this page updates by itself.',
    'shipping.explain.labelling': 'Poleepo created the shipment; the label is being attached in Odoo… this page updates by itself.',
    'shipping.explain.ready': 'The label is ready (also attached to the delivery and in the order\'s chatter in Odoo). Print it, stick it on the parcels, and press "Handed to courier" when the courier takes them.',
    'shipping.explain.handingOver': 'Telling Poleepo the courier has the parcels… this page updates by itself.',
    'shipping.explain.shipped': 'The courier has the parcels; the status follows Poleepo.',
    'shipping.explain.done': 'Nothing more to follow.',
    'shipping.explain.refused': 'Poleepo refused the shipment: nothing was created. Choose other options and ship again.',

    'status.shipmentStep.creating': 'Being created',
    'status.shipmentStep.labelling': 'Making the label',
    'status.shipmentStep.ready': 'Label ready',
    'status.shipmentStep.shipped': 'Shipped',
    'status.shipmentStep.done': 'Done',
    'status.shipmentStep.refused': 'Refused',
    'status.delivery.toValidate': 'To validate',
    'status.delivery.readyToShip': 'Ready to ship',
    'status.delivery.inProgress': 'Being shipped',
    'status.delivery.labelReady': 'Label ready',
    'status.delivery.shipped': 'Shipped',
    'status.delivery.delivered': 'Delivered',
    'status.delivery.cancelled': 'Cancelled',
    'status.delivery.refused': 'Refused',
    'status.poleepoShipping.CREATED': 'Created',
    'status.poleepoShipping.LABEL_READY': 'Label ready',
    'status.poleepoShipping.HANDED_TO_CARRIER': 'Handed to courier',
    'status.poleepoShipping.IN_TRANSIT': 'In transit',
    'status.poleepoShipping.DELIVERED': 'Delivered',
    'status.poleepoShipping.EXCEPTION': 'Exception',
    'status.poleepoShipping.CANCELED': 'Cancelled',
    'status.odooPicking.draft': 'Draft',
    'status.odooPicking.waiting': 'Waiting another operation',
    'status.odooPicking.confirmed': 'Waiting',
    'status.odooPicking.assigned': 'Ready',
    'status.odooPicking.done': 'Done',
    'status.odooPicking.cancel': 'Cancelled',

    'shipping.problem.NOT_A_DELIVERY': '{picking} is not a delivery order: only deliveries ship with Poleepo.',
    'shipping.problem.NOT_DONE': '{picking} is not validated yet (state "{state}"): validate the delivery in Odoo first.',
    'shipping.problem.NOT_FROM_POLEEPO': '{picking} belongs to {order}, which was not imported from Poleepo by this connection: ship it the way it was sold.',
    'shipping.problem.ALREADY_SHIPPED': '{picking} is already shipped with Poleepo.',
    'shipping.problem.IN_PROGRESS': '{picking} is being shipped right now: wait for the label.',
    'shipping.problem.NO_PACKAGES': '{picking} has no package: put the products in packages ("Put in Pack") with a package type before validating.',
    'shipping.problem.PACKAGE_WITHOUT_TYPE': 'Package {package} has no package type: set one in Odoo (Inventory → the package → Package Type).',
    'shipping.problem.TYPE_NOT_MAPPED': 'Package {package} has package type "{type}", which is not mapped to a Poleepo package type: map it on the Package types page.',
    'shipping.problem.POLEEPO_TYPE_GONE': 'Package type "{type}" of package {package} is mapped to a Poleepo package type that Poleepo no longer offers: synchronise the package types and map it again.',
    'shipping.problem.NO_WEIGHT': 'Package {package} has no weight: enter its shipping weight in Odoo.',
    'shipping.problem.TOO_HEAVY': 'Package {package} weighs {weight}, more than the {max} the Poleepo package type "{poleepoType}" carries.',
  },
  it: {
    'shipping.nav': 'Spedizioni',
    'shipping.title': 'Spedizioni',
    'shipping.intro': 'Le consegne degli ordini importati da Poleepo e lo stato di ogni spedizione. Apri una consegna per spedirla con Poleepo: l\'etichetta arriva sulla consegna e nel chatter dell\'ordine in Odoo.',
    'shipping.unavailable': 'Le spedizioni non sono disponibili in questo processo: la console è avviata senza i servizi del connettore.',
    'shipping.limit': 'Consegne degli ultimi {n} ordini importati di ogni connessione.',
    'shipping.state': 'Stato della spedizione',
    'shipping.connection': 'Connessione',
    'shipping.search': 'Cerca',
    'shipping.searchHint': 'Consegna, ordine di vendita, ordine Poleepo, cliente o codice di tracciamento',
    'shipping.empty': 'Nessuna consegna corrisponde.',
    'shipping.delivery': 'Consegna',
    'shipping.order': 'Ordine di vendita',
    'shipping.poleepoOrder': 'Ordine Poleepo',
    'shipping.customer': 'Cliente',
    'shipping.odooState': 'Stato in Odoo',
    'shipping.courier': 'Corriere',
    'shipping.tracking': 'Codice di tracciamento',
    'shipping.courierTracking': 'Corriere e tracciamento',
    'shipping.label': 'Etichetta',
    'shipping.actions': 'Azioni',
    'shipping.noOrder': 'nessun ordine di vendita',
    'shipping.open': 'Spedisci…',
    'shipping.openOf': 'Spedisci {name}',
    'shipping.handOver': 'Consegnato al corriere',
    'shipping.handOverOf': 'Consegnato al corriere: {name}',
    'shipping.handOverRequested': 'Consegna al corriere comunicata a Poleepo',
    'shipping.downloadLabel': 'Scarica',
    'shipping.downloadLabelOf': 'Scarica l\'etichetta di {name}',
    'shipping.odooUnreachable': 'Impossibile leggere da Odoo le consegne di {connection}: {reason}',
    'shipping.recent.title': 'Spedizioni recenti',
    'shipping.recent.intro': 'Lette dal connettore, senza Odoo: le ultime spedizioni fatte con Poleepo.',
    'shipping.recent.empty': 'Ancora nessuna spedizione.',
    'shipping.step': 'Fase',
    'shipping.poleepoStatus': 'Stato Poleepo',
    'shipping.updated': 'Aggiornata',
    'shipping.back': '← Tutte le consegne',

    'shipping.picking.title': 'Consegna {name}',
    'shipping.picking.notFound': 'In Odoo non c\'è nessuna consegna con id {id} per la connessione {connection}.',
    'shipping.picking.unreachable': 'Impossibile leggere la consegna da Odoo o da Poleepo: {reason}',
    'shipping.validated': 'Convalidata il',
    'shipping.packages.title': 'Colli',
    'shipping.packages.empty': 'Nessun collo: i prodotti non sono stati imballati.',
    'shipping.package': 'Collo',
    'shipping.packageType': 'Tipo di collo',
    'shipping.weight': 'Peso (kg)',
    'shipping.shipsAs': 'Spedito come (Poleepo)',
    'shipping.dimensions': 'Dimensioni (cm)',
    'shipping.noType': 'nessuno',
    'shipping.problems.title': 'Non si può ancora spedire con Poleepo',
    'shipping.problems.intro': 'Nulla è stato inviato a Poleepo. Correggi questi punti in Odoo (o nella pagina Tipi di collo), poi ricarica questa pagina:',
    'shipping.problems.packageTypes': 'Apri Tipi di collo',
    'shipping.form.title': 'Spedisci con Poleepo',
    'shipping.form.pickup': 'Indirizzo di ritiro',
    'shipping.form.default': 'predefinito',
    'shipping.form.courier': 'Corriere e servizio',
    'shipping.form.priceNote': 'I prezzi sono i preventivi di Poleepo per il peso totale dei colli ({weight}).',
    'shipping.form.noPrice': 'nessun prezzo indicato',
    'shipping.form.noPickup': 'Poleepo non ha indirizzi di ritiro per questo account: aggiungine uno in Poleepo.',
    'shipping.form.noCourier': 'Poleepo non offre corrieri per questo account: configurane uno in Poleepo.',
    'shipping.ship.queued': '{name}: spedizione richiesta. L\'etichetta è in preparazione.',
    'shipping.ship.already': '{name} è già in spedizione: si segue quella spedizione.',
    'shipping.ship.refused': 'Non spedita: la consegna non si può ancora spedire, vedi i motivi qui sotto.',
    'shipping.ship.failed': 'Non spedita: {reason}',
    'shipping.handOver.queued': '{name}: consegna al corriere comunicata a Poleepo.',
    'shipping.handOver.failed': 'Consegna al corriere non comunicata: {reason}',
    'shipping.refresh': 'Aggiorna da Poleepo',
    'shipping.refresh.queued': '{name}: si chiede a Poleepo lo stato più recente.',
    'shipping.refresh.none': '{name} non ha una spedizione da aggiornare.',

    'shipping.shipment.title': 'Spedizione',
    'shipping.shipment.none': 'Questa consegna non ha ancora una spedizione.',
    'shipping.shipment.poleepoId': 'Spedizione Poleepo',
    'shipping.shipment.cod': 'Contrassegno',
    'shipping.shipment.noCod': 'Nessuno',
    'shipping.shipment.noLabel': 'non ancora',
    'shipping.shipment.requested': 'Richiesta',
    'shipping.shipment.shippedAt': 'Consegnata al corriere',
    'shipping.shipment.deliveredAt': 'Recapitata',
    'shipping.shipment.error': 'Errore:',
    'shipping.shipment.shipAgain': 'Scegli altre opzioni e spedisci di nuovo',
    'shipping.explain.creating': 'Richiesta della spedizione a Poleepo in corso… la pagina si aggiorna da sola.',
    'shipping.explain.labelling': 'Poleepo ha creato la spedizione; l\'etichetta viene allegata in Odoo… la pagina si aggiorna da sola.',
    'shipping.explain.ready': 'L\'etichetta è pronta (allegata anche alla consegna e nel chatter dell\'ordine in Odoo). Stampala, applicala sui colli e premi "Consegnato al corriere" quando il corriere li ritira.',
    'shipping.explain.handingOver': 'Si comunica a Poleepo che il corriere ha i colli… la pagina si aggiorna da sola.',
    'shipping.explain.shipped': 'Il corriere ha i colli; lo stato segue Poleepo.',
    'shipping.explain.done': 'Non c\'è altro da seguire.',
    'shipping.explain.refused': 'Poleepo ha rifiutato la spedizione: non è stato creato nulla. Scegli altre opzioni e spedisci di nuovo.',

    'status.shipmentStep.creating': 'In creazione',
    'status.shipmentStep.labelling': 'Etichetta in preparazione',
    'status.shipmentStep.ready': 'Etichetta pronta',
    'status.shipmentStep.shipped': 'Spedita',
    'status.shipmentStep.done': 'Conclusa',
    'status.shipmentStep.refused': 'Rifiutata',
    'status.delivery.toValidate': 'Da convalidare',
    'status.delivery.readyToShip': 'Da spedire',
    'status.delivery.inProgress': 'In spedizione',
    'status.delivery.labelReady': 'Etichetta pronta',
    'status.delivery.shipped': 'Spedita',
    'status.delivery.delivered': 'Consegnata',
    'status.delivery.cancelled': 'Annullata',
    'status.delivery.refused': 'Rifiutata',
    // Poleepo's own Italian words, as its console and the notes in Odoo show them.
    'status.poleepoShipping.CREATED': STATUS_ITALIAN.CREATED,
    'status.poleepoShipping.LABEL_READY': STATUS_ITALIAN.LABEL_READY,
    'status.poleepoShipping.HANDED_TO_CARRIER': STATUS_ITALIAN.HANDED_TO_CARRIER,
    'status.poleepoShipping.IN_TRANSIT': STATUS_ITALIAN.IN_TRANSIT,
    'status.poleepoShipping.DELIVERED': STATUS_ITALIAN.DELIVERED,
    'status.poleepoShipping.EXCEPTION': STATUS_ITALIAN.EXCEPTION,
    'status.poleepoShipping.CANCELED': STATUS_ITALIAN.CANCELED,
    'status.odooPicking.draft': 'Bozza',
    'status.odooPicking.waiting': 'In attesa di un\'altra operazione',
    'status.odooPicking.confirmed': 'In attesa',
    'status.odooPicking.assigned': 'Pronto',
    'status.odooPicking.done': 'Completato',
    'status.odooPicking.cancel': 'Annullato',

    'shipping.problem.NOT_A_DELIVERY': '{picking} non è una consegna: con Poleepo si spediscono solo le consegne.',
    'shipping.problem.NOT_DONE': '{picking} non è ancora convalidata (stato "{state}"): convalida prima la consegna in Odoo.',
    'shipping.problem.NOT_FROM_POLEEPO': '{picking} appartiene a {order}, che non è stato importato da Poleepo con questa connessione: spediscila come è stata venduta.',
    'shipping.problem.ALREADY_SHIPPED': '{picking} è già stata spedita con Poleepo.',
    'shipping.problem.IN_PROGRESS': '{picking} è in spedizione in questo momento: attendi l\'etichetta.',
    'shipping.problem.NO_PACKAGES': '{picking} non ha colli: metti i prodotti nei colli ("Metti in collo") con un tipo di collo prima di convalidare.',
    'shipping.problem.PACKAGE_WITHOUT_TYPE': 'Il collo {package} non ha un tipo di collo: impostalo in Odoo (Magazzino → il collo → Tipo di collo).',
    'shipping.problem.TYPE_NOT_MAPPED': 'Il collo {package} ha il tipo di collo "{type}", che non è associato a un tipo di collo Poleepo: associalo nella pagina Tipi di collo.',
    'shipping.problem.POLEEPO_TYPE_GONE': 'Il tipo di collo "{type}" del collo {package} è associato a un tipo di collo che Poleepo non offre più: sincronizza i tipi di collo e associalo di nuovo.',
    'shipping.problem.NO_WEIGHT': 'Il collo {package} non ha un peso: inserisci il peso di spedizione in Odoo.',
    'shipping.problem.TOO_HEAVY': 'Il collo {package} pesa {weight}, più dei {max} che porta il tipo di collo Poleepo "{poleepoType}".',
  },
});

// ---------------------------------------------------------------- words

function shippingOf(c: ConsoleContext): ShippingService | null {
  return c.get('services').modules?.shipping ?? null;
}

/** The page the Odoo button opens, with the connection named as the button names it. */
function pickingPath(pickingId: number, connection: ConnectionName, suffix = ''): string {
  return `/shipping/picking/${pickingId}${suffix}?connection=${encodeURIComponent(connection.name)}`;
}

function labelPath(shipmentId: number): string {
  return `/shipping/shipments/${shipmentId}/label`;
}

/** Poleepo's status in the reader's words (Poleepo's own Italian words for Italians); anything new as Poleepo says it. */
function poleepoStatusText(ui: Ui, status: string | null): string {
  if (!status) return '—';
  return isShippingStatus(status) ? ui.t(`status.poleepoShipping.${status}`) : status;
}

function odooStateText(ui: Ui, state: string): string {
  return (ODOO_STATES as readonly string[]).includes(state) ? ui.t(`status.odooPicking.${state}`) : state;
}

function StepBadge({ ui, step }: { ui: Ui; step: ShipmentStep }) {
  return <Badge tone={STEP_TONE[step] ?? 'muted'}>{ui.t(`status.shipmentStep.${step}`)}</Badge>;
}

function deliveryState(picking: DeliveryPicking, s: ShipmentRow | null): DeliveryState {
  if (s && s.step !== 'refused') {
    if (s.step === 'creating' || s.step === 'labelling') return 'inProgress';
    if (s.step === 'ready') return 'labelReady';
    if (s.step === 'shipped') return 'shipped';
    return s.poleepo_status === 'CANCELED' ? 'cancelled' : 'delivered';
  }
  if (picking.state === 'cancel') return 'cancelled';
  if (s) return 'refused';
  return picking.state === 'done' ? 'readyToShip' : 'toValidate';
}

function hasLabel(s: ShipmentRow): boolean {
  return s.poleepo_shipping_id !== null && (s.step === 'ready' || s.step === 'shipped' || s.step === 'done');
}

function handingOver(s: ShipmentRow): boolean {
  return s.step === 'ready' && s.handover_requested_at !== null && !s.error;
}

/** While Poleepo or the worker has something to do that the person waits for, the box asks again by itself. */
function stillMoving(s: ShipmentRow): boolean {
  return ((s.step === 'creating' || s.step === 'labelling') && !s.error) || handingOver(s);
}

/** Odoo's `date_done` ("2026-03-02 10:00:00", UTC) as an instant. */
function odooTime(value: string | null): number | null {
  if (!value) return null;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? ms : null;
}

/** The POST handlers' way back: the list (with its filters) or a delivery's page, never elsewhere. */
function safeBack(asked: string | undefined, fallback: string): string {
  return asked && /^\/shipping(\/picking\/\d{1,12})?(\?[\w=&%.+-]*)?$/.test(asked) ? asked : fallback;
}

// ---------------------------------------------------------------- the shipment box

interface BoxLinks {
  status: string;
  handover: string;
  refresh: string;
  page: string;
  connection: string;
}

/**
 * The shipment of one delivery: its step, Poleepo's status, courier, tracking, cash on delivery, the label, the
 * hand-over and a refresh. While the label is being made (or the hand-over sent) it asks its fragment route again
 * every 2 s and replaces itself; the answer without `hx-trigger` ends the polling.
 */
function ShipmentBox({ ui, s, links, currency }: { ui: Ui; s: ShipmentRow; links: BoxLinks; currency: string | null }) {
  const { t } = ui;
  const moving = stillMoving(s);
  const explain = s.step === 'ready' && handingOver(s) ? 'handingOver' : s.step;
  const dash = <span class="muted">—</span>;
  const poll = moving ? { 'hx-get': links.status, 'hx-trigger': `every ${POLL_EVERY}`, 'hx-swap': 'outerHTML', 'hx-target': 'this' } : {};
  const items: [string, Child][] = [
    [t('shipping.step'), <StepBadge ui={ui} step={s.step} />],
    [t('shipping.poleepoStatus'), <span class="poleepo-status">{poleepoStatusText(ui, s.poleepo_status)}</span>],
    [t('shipping.shipment.poleepoId'), s.poleepo_shipping_id !== null ? String(s.poleepo_shipping_id) : dash],
    [t('shipping.courier'), s.carrier ? `${s.carrier}${s.service && !s.carrier.toLowerCase().includes(s.service.toLowerCase()) ? ` (${s.service})` : ''}` : dash],
    [t('shipping.tracking'), s.tracking_code ? <code class="tracking-code">{s.tracking_code}</code> : dash],
    [t('shipping.shipment.cod'), s.cod_amount ? formatMoney(s.cod_amount, currency, ui) : t('shipping.shipment.noCod')],
    [t('shipping.label'), hasLabel(s)
      ? <a class="label-link" href={labelPath(s.id)} hx-boost="false" download={s.label_file_name ?? undefined} aria-label={t('shipping.downloadLabelOf', { name: s.picking_name })}>{t('shipping.downloadLabel')} {s.label_file_name ? `(${s.label_file_name})` : ''}</a>
      : <span class="muted">{t('shipping.shipment.noLabel')}</span>],
    [t('shipping.shipment.requested'), <Time ui={ui} ms={s.created_at} />],
  ];
  if (s.shipped_at) items.push([t('shipping.shipment.shippedAt'), <Time ui={ui} ms={s.shipped_at} />]);
  if (s.delivered_at) items.push([t('shipping.shipment.deliveredAt'), <Time ui={ui} ms={s.delivered_at} />]);
  return (
    <section id="shipment" class="shipment" aria-labelledby="shipment-title" aria-busy={moving ? 'true' : 'false'} data-step={s.step} {...poll}>
      <h2 id="shipment-title">{t('shipping.shipment.title')}</h2>
      <p class={s.step === 'refused' ? 'error-text' : 'muted'} role="status">{t(`shipping.explain.${explain}`)}</p>
      {s.error && <Notice kind="error"><strong>{t('shipping.shipment.error')}</strong> {said(ui, s.error)}</Notice>}
      <Details items={items} />
      <p class="actions">
        {s.step === 'ready' && s.handover_requested_at === null && (
          <ActionButton ui={ui} action={links.handover} fields={{ connection: links.connection, back: links.page }} label={t('shipping.handOver')} />
        )}{' '}
        {s.step !== 'refused' && (
          <ActionButton ui={ui} action={links.refresh} fields={{ connection: links.connection }} label={t('shipping.refresh')} variant="secondary" />
        )}
        {s.step === 'refused' && <a href={links.page}>{t('shipping.shipment.shipAgain')}</a>}
      </p>
    </section>
  );
}

function boxLinks(pickingId: number, connection: ConnectionName): BoxLinks {
  return {
    status: pickingPath(pickingId, connection, '/status'),
    handover: `/shipping/picking/${pickingId}/handover`,
    refresh: `/shipping/picking/${pickingId}/refresh`,
    page: pickingPath(pickingId, connection),
    connection: connection.name,
  };
}

/** The currency the order was paid in (cash on delivery is collected in it). */
async function orderCurrency(c: ConsoleContext, connectionId: number, poleepoOrderId: string | null): Promise<string | null> {
  if (!poleepoOrderId) return null;
  const binding = await new OrdersRepo(c.get('services').ctx.db).find(connectionId, poleepoOrderId);
  return binding?.currency ?? null;
}

// ---------------------------------------------------------------- problems, in the reader's words

interface ProblemContext {
  preview: ShipPreview;
  mappings: PackageTypeMappingRow[];
  poleepoTypes: PoleepoPackageTypeRow[];
}

/**
 * A refusal in the reader's language. The service says each problem in English (the CLI prints it); the page says
 * it again from the problem's code and the delivery's data, and falls back to the service's words when it cannot.
 */
function problemText(ui: Ui, p: ShipProblem, x: ProblemContext): string {
  const { t } = ui;
  const key = `shipping.problem.${p.code}`;
  if (!(PROBLEM_CODES as readonly string[]).includes(p.code) || !t.has(key)) return p.message;
  const picking = x.preview.picking;
  const pack = p.packageName !== undefined ? x.preview.packages.find((k) => k.name === p.packageName) : undefined;
  const params: Record<string, string> = {
    picking: picking.name,
    order: picking.saleOrderName ?? t('shipping.noOrder'),
    state: odooStateText(ui, picking.state),
    package: p.packageName ?? '',
    type: pack?.packageTypeName ?? (pack?.packageTypeId ? `#${pack.packageTypeId}` : ''),
  };
  if (p.code === 'TOO_HEAVY') {
    const mapping = x.mappings.find((m) => m.odoo_package_type_id === pack?.packageTypeId);
    const target = mapping ? x.poleepoTypes.find((y) => y.poleepo_id === mapping.poleepo_package_type_id) : undefined;
    if (!pack || !target) return p.message;
    Object.assign(params, { weight: formatKg(pack.weightKg, ui), max: formatKg(target.max_weight_kg, ui), poleepoType: target.name });
  }
  return t(key, params);
}

function Problems({ ui, problems, context }: { ui: Ui; problems: ShipProblem[]; context: ProblemContext }) {
  const { t } = ui;
  const aboutTypes = problems.some((p) => p.code === 'TYPE_NOT_MAPPED' || p.code === 'POLEEPO_TYPE_GONE');
  return (
    <section class="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">{t('shipping.problems.title')}</h2>
      <div class="flash flash-error" role="alert">
        <p>{t('shipping.problems.intro')}</p>
        <ul>
          {problems.map((p) => <li data-code={p.code}>{problemText(ui, p, context)}</li>)}
        </ul>
      </div>
      {aboutTypes && <p><a href="/package-types">{t('shipping.problems.packageTypes')}</a></p>}
    </section>
  );
}

// ---------------------------------------------------------------- the ship form

function addressText(a: PoleepoPickupAddress): string {
  const town = [a.postcode, a.city, a.state_iso ? `(${a.state_iso})` : ''].filter(Boolean).join(' ');
  const place = [a.address, town, a.country_iso].filter(Boolean).join(', ');
  return [a.company, place].filter(Boolean).join(' — ');
}

interface CourierOption {
  value: string;
  carrier: PoleepoCarrier;
  service: { code: string; name: string; price?: number | null; currency?: string | null } | null;
}

/** One choice per courier service (a courier without services is one choice); the value is "carrierId:service". */
function courierOptions(carriers: PoleepoCarrier[]): CourierOption[] {
  return carriers.flatMap((carrier): CourierOption[] => (carrier.services?.length
    ? carrier.services.map((service) => ({ value: `${carrier.id}:${service.code}`, carrier, service }))
    : [{ value: `${carrier.id}:`, carrier, service: null }]));
}

function ShipForm({ ui, preview, connection }: { ui: Ui; preview: ShipPreview; connection: ConnectionName }) {
  const { t } = ui;
  if (!preview.eligibility.ok) return <></>;
  const weight = preview.eligibility.parcels.reduce((sum, p) => sum + p.weight, 0);
  const pickups = preview.pickupAddresses;
  const preferred = pickups.find((p) => p.is_default) ?? pickups[0];
  const options = courierOptions(preview.carriers);
  const priced = options.some((o) => typeof o.service?.price === 'number');
  return (
    <section aria-labelledby="ship-title">
      <h2 id="ship-title">{t('shipping.form.title')}</h2>
      {pickups.length === 0 && <Notice kind="error">{t('shipping.form.noPickup')}</Notice>}
      {options.length === 0 && <Notice kind="error">{t('shipping.form.noCourier')}</Notice>}
      {pickups.length > 0 && options.length > 0 && (
        <form method="post" action={`/shipping/picking/${preview.picking.id}/ship`} class="ship-form" hx-disabled-elt="find button[type=submit]">
          <CsrfField token={ui.csrfToken} />
          <input type="hidden" name="connection" value={connection.name} />
          <fieldset>
            <legend>{t('shipping.form.pickup')}</legend>
            {pickups.map((a) => (
              <label>
                <input type="radio" name="pickup" value={String(a.id)} checked={a.id === preferred?.id} required />
                {' '}<strong>{a.name}</strong>{a.is_default ? <> <Badge tone="muted">{t('shipping.form.default')}</Badge></> : ''}
                <br /><small class="muted">{addressText(a)}</small>
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('shipping.form.courier')}</legend>
            {options.map((o, i) => (
              <label>
                <input type="radio" name="courier" value={o.value} checked={i === 0} required />
                {' '}<strong>{o.carrier.name}</strong>{o.service ? ` — ${o.service.name}` : ''}
                {' · '}{typeof o.service?.price === 'number'
                  ? <strong class="price">{formatMoney(o.service.price, o.service.currency ?? 'EUR', ui)}</strong>
                  : <span class="muted">{t('shipping.form.noPrice')}</span>}
              </label>
            ))}
            {priced && <small class="muted">{t('shipping.form.priceNote', { weight: formatKg(weight, ui) })}</small>}
          </fieldset>
          <button type="submit">{t('poleepo.shipWith')}</button>
        </form>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- the delivery page

/**
 * How each package ships: as planned now when the delivery can ship, else as it was asked for when it was shipped
 * (the shipment's recorded request), so the packages keep their Poleepo type and dimensions after shipping.
 */
function plannedParcels(preview: ShipPreview): ShipRequest['parcels'] {
  if (preview.eligibility.ok) return preview.eligibility.parcels;
  if (!preview.shipment) return [];
  try {
    return parseShipRequest(preview.shipment.request).parcels;
  } catch {
    return [];
  }
}

async function pickingView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const id = positiveInt(c.req.param('id'), 0);
  if (!id) return notFoundPage(c);
  const fallbackTitle = t('shipping.picking.title', { name: `#${id}` });
  const back = <p><a href="/shipping">{t('shipping.back')}</a></p>;
  const shipping = shippingOf(c);
  if (!shipping) return renderPage(c, fallbackTitle, <>{back}<Notice kind="info">{t('shipping.unavailable')}</Notice></>);
  const pick = await pickConnection(ctx.db, c.req.query('connection'));
  if (!pick.chosen) {
    return renderPage(c, fallbackTitle, (
      <>
        {back}
        {pick.unknown !== null && <Notice kind="error">{t('connectionPick.unknown', { name: pick.unknown })}</Notice>}
        <ConnectionChooser ui={ui} all={pick.all} href={(x) => pickingPath(id, x)} />
      </>
    ));
  }
  const connection = pick.chosen;
  const links = boxLinks(id, connection);
  let preview: ShipPreview;
  try {
    preview = await shipping.preview(connection.id, id);
  } catch (error) {
    if (error instanceof DeliveryNotFoundError) {
      return renderPage(c, fallbackTitle, <>{back}<Notice kind="error">{t('shipping.picking.notFound', { id, connection: connection.name })}</Notice><p class="muted">{errorMessage(error)}</p></>, 404);
    }
    // Another refusal in the service's own words (e.g. a unit Odoo uses that cannot be converted).
    if (error instanceof ValidationError) return renderPage(c, fallbackTitle, <>{back}<Notice kind="error">{errorMessage(error)}</Notice></>, 400);
    // Odoo or Poleepo unreachable: say so plainly, and still show the shipment the connector knows (its label too).
    ctx.logger.warn({ err: errorMessage(error), pickingId: id, connectionId: connection.id }, 'shipping page: preview failed');
    const known = await shipping.shipmentOf(connection.id, id);
    return renderPage(c, known ? t('shipping.picking.title', { name: known.picking_name }) : fallbackTitle, (
      <>
        {back}
        <Notice kind="error">{t('shipping.picking.unreachable', { reason: errorMessage(error) })}</Notice>
        {known && <ShipmentBox ui={ui} s={known} links={links} currency={await orderCurrency(c, connection.id, known.poleepo_order_id)} />}
      </>
    ));
  }
  const { picking, packages, eligibility, shipment } = preview;
  const parcels = new Map(plannedParcels(preview).map((p) => [p.odooPackageId, p]));
  // A shipment in progress or made shows as itself, not as a reason not to ship.
  const problems = eligibility.ok ? [] : eligibility.problems.filter((p) => !(shipment && (p.code === 'IN_PROGRESS' || p.code === 'ALREADY_SHIPPED')));
  const context: ProblemContext = problems.length
    ? { preview, mappings: await shipping.packageTypes.mappings(connection.id), poleepoTypes: await shipping.packageTypes.poleepoTypes(connection.id) }
    : { preview, mappings: [], poleepoTypes: [] };
  const dash = <span class="muted">—</span>;
  return renderPage(c, t('shipping.picking.title', { name: picking.name }), (
    <>
      {back}
      <Details items={[
        [t('shipping.delivery'), picking.name],
        [t('shipping.order'), picking.saleOrderName ?? dash],
        [t('shipping.poleepoOrder'), picking.poleepoOrderId ? <a href={`/orders?q=${encodeURIComponent(picking.poleepoOrderId)}`}>{picking.poleepoOrderId}</a> : dash],
        [t('shipping.customer'), picking.partnerName ?? dash],
        [t('shipping.odooState'), odooStateText(ui, picking.state)],
        [t('shipping.validated'), <Time ui={ui} ms={odooTime(picking.dateDone)} />],
        [t('shipping.connection'), connection.name],
      ]} />
      <section aria-labelledby="packages-title">
        <h2 id="packages-title">{t('shipping.packages.title')}</h2>
        <DataTable caption={t('shipping.packages.title')} rows={packages} empty={t('shipping.packages.empty')} columns={[
          { header: t('shipping.package'), cell: (p) => p.name },
          { header: t('shipping.packageType'), cell: (p) => p.packageTypeName ?? <span class="muted">{t('shipping.noType')}</span> },
          { header: t('shipping.weight'), cell: (p) => formatKg(p.weightKg, ui), class: 'num' },
          { header: t('shipping.shipsAs'), cell: (p) => parcels.get(p.id)?.poleepoPackageTypeName ?? dash },
          { header: t('shipping.dimensions'), cell: (p) => { const x = parcels.get(p.id); return x ? formatDimensionsCm([x.width, x.height, x.depth], ui) : dash; }, class: 'nowrap' },
        ]} />
      </section>
      {shipment && <ShipmentBox ui={ui} s={shipment} links={links} currency={await orderCurrency(c, connection.id, picking.poleepoOrderId)} />}
      {problems.length > 0 && <Problems ui={ui} problems={problems} context={context} />}
      <ShipForm ui={ui} preview={preview} connection={connection} />
    </>
  ));
}

/** The shipment box alone (htmx polling); a full page for anyone else who opens the address. */
async function statusView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const id = positiveInt(c.req.param('id'), 0);
  if (!id) return notFoundPage(c);
  const shipping = shippingOf(c);
  const pick = await pickConnection(c.get('services').ctx.db, c.req.query('connection'));
  const s = shipping && pick.chosen ? await shipping.shipmentOf(pick.chosen.id, id) : undefined;
  const box = s && pick.chosen
    ? <ShipmentBox ui={ui} s={s} links={boxLinks(id, pick.chosen)} currency={await orderCurrency(c, pick.chosen.id, s.poleepo_order_id)} />
    : <section id="shipment" class="shipment"><p class="muted">{shipping ? t('shipping.shipment.none') : t('shipping.unavailable')}</p></section>;
  if (isHtmx(c)) return c.html(`${box}`);
  const title = s ? t('shipping.picking.title', { name: s.picking_name }) : t('shipping.shipment.title');
  return renderPage(c, title, <>{pick.chosen && <p><a href={pickingPath(id, pick.chosen)}>{title}</a></p>}{box}</>);
}

// ---------------------------------------------------------------- the list

interface DeliveryRow {
  connection: ConnectionName;
  picking: DeliveryPicking;
  shipment: ShipmentRow | null;
  state: DeliveryState;
}

function matches(row: DeliveryRow, search: string): boolean {
  const needle = search.toLowerCase();
  const p = row.picking;
  return [p.name, p.saleOrderName, p.poleepoOrderId, p.partnerName, p.trackingRef, row.shipment?.tracking_code]
    .some((v) => typeof v === 'string' && v.toLowerCase().includes(needle));
}

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const shipping = shippingOf(c);
  const query = c.req.query();
  const connections = await connectionNames(ctx.db);
  const connectionId = positiveInt(query.connection, 0);
  const targets = connectionId ? connections.filter((x) => x.id === connectionId) : connections;
  const state = (DELIVERY_STATES as readonly string[]).includes(query.state ?? '') ? (query.state as DeliveryState) : undefined;
  const search = (query.q ?? '').trim().slice(0, 64);
  const rows: DeliveryRow[] = [];
  const failures: { connection: ConnectionName; reason: string }[] = [];
  if (shipping) {
    await Promise.all(targets.map(async (connection) => {
      try {
        for (const d of await shipping.deliveries(connection.id, DELIVERY_LIMIT)) rows.push({ connection, ...d, state: deliveryState(d.picking, d.shipment) });
      } catch (error) {
        // Odoo down, or the connection's credentials refused: a plain box, and the shipments the connector knows.
        ctx.logger.warn({ err: errorMessage(error), connectionId: connection.id }, 'shipping page: deliveries unreadable');
        failures.push({ connection, reason: errorMessage(error) });
      }
    }));
  }
  const order = new Map(connections.map((x, i) => [x.id, i]));
  const shown = rows
    .filter((r) => (!state || r.state === state) && (!search || matches(r, search)))
    .sort((a, b) => (order.get(a.connection.id)! - order.get(b.connection.id)!) || b.picking.id - a.picking.id);
  const here = c.req.path + new URL(c.req.url).search;
  const several = connections.length > 1;
  const all = { value: '', label: t('filters.all') };
  const recentFor = !shipping ? targets : failures.map((f) => f.connection);
  // Without Odoo (or without the services) the connector's own record of shipments still says where each stands.
  const shipments = shipping ?? new ShipmentsRepo(ctx.db);
  const recent = recentFor.length ? await shipments.list({ connectionId: recentFor.length === 1 ? recentFor[0]!.id : undefined, limit: 50 }) : null;
  return renderPage(c, t('shipping.title'), (
    <>
      <p class="lead">{t('shipping.intro')}</p>
      {!shipping && <Notice kind="info">{t('shipping.unavailable')}</Notice>}
      {connections.length === 0 && <ConnectionChooser ui={ui} all={[]} href={() => '/shipping'} />}
      {shipping && <FilterBar ui={ui} action="/shipping">
        <SelectField name="state" label={t('shipping.state')} value={state ?? ''} options={[all, ...DELIVERY_STATES.map((s) => ({ value: s, label: t(`status.delivery.${s}`) }))]} />
        {several && <SelectField name="connection" label={t('shipping.connection')} value={connectionId ? String(connectionId) : ''} options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />}
        <TextField name="q" type="search" label={t('shipping.search')} value={search} hint={t('shipping.searchHint')} />
      </FilterBar>}
      {failures.map((f) => <Notice kind="error">{t('shipping.odooUnreachable', { connection: f.connection.name, reason: f.reason })}</Notice>)}
      {shipping && (
        <>
          <DataTable<DeliveryRow> caption={t('shipping.title')} rows={shown} empty={t('shipping.empty')} id="deliveries" columns={[
            { header: t('shipping.delivery'), cell: (r) => <><a href={pickingPath(r.picking.id, r.connection)}>{r.picking.name}</a><br /><small class="muted">{odooStateText(ui, r.picking.state)}{several ? ` · ${r.connection.name}` : ''}</small></>, class: 'nowrap' },
            { header: t('shipping.order'), cell: (r) => <>{r.picking.saleOrderName ?? '—'}{r.picking.poleepoOrderId ? <><br /><small class="muted">{t('shipping.poleepoOrder')} {r.picking.poleepoOrderId}</small></> : ''}</> },
            { header: t('shipping.customer'), cell: (r) => r.picking.partnerName ?? '—', class: 'wrap' },
            { header: t('shipping.state'), cell: (r) => <Badge tone={STATE_TONE[r.state]}>{t(`status.delivery.${r.state}`)}</Badge> },
            { header: t('shipping.courierTracking'), cell: (r) => { const code = r.shipment?.tracking_code ?? r.picking.trackingRef; return <>{r.shipment?.carrier ?? r.picking.courier ?? '—'}{code ? <><br /><code>{code}</code></> : ''}</>; } },
            { header: t('shipping.label'), cell: (r) => (r.shipment && hasLabel(r.shipment) ? <a href={labelPath(r.shipment.id)} hx-boost="false" download={r.shipment.label_file_name ?? undefined} aria-label={t('shipping.downloadLabelOf', { name: r.picking.name })}>{t('shipping.downloadLabel')}</a> : '—') },
            { header: t('shipping.actions'), cell: (r) => <RowActions ui={ui} row={r} back={here} /> },
          ]} />
          <p class="muted">{t('shipping.limit', { n: DELIVERY_LIMIT })}</p>
        </>
      )}
      {recent && (
        <section aria-labelledby="recent-title">
          <h2 id="recent-title">{t('shipping.recent.title')}</h2>
          <p class="muted">{t('shipping.recent.intro')}</p>
          <DataTable<ShipmentListRow> caption={t('shipping.recent.title')} rows={recent.rows} empty={t('shipping.recent.empty')} id="recent-shipments" columns={[
            { header: t('shipping.delivery'), cell: (s) => <><a href={pickingPath(s.picking_id, { id: s.connection_id, name: s.connection_name ?? '' })}>{s.picking_name}</a>{several ? <><br /><small class="muted">{s.connection_name}</small></> : ''}</>, class: 'nowrap' },
            { header: t('shipping.order'), cell: (s) => <>{s.sale_order_name ?? '—'}<br /><small class="muted">{t('shipping.poleepoOrder')} {s.poleepo_order_id}</small></> },
            { header: t('shipping.step'), cell: (s) => <StepBadge ui={ui} step={s.step} /> },
            { header: t('shipping.poleepoStatus'), cell: (s) => poleepoStatusText(ui, s.poleepo_status) },
            { header: t('shipping.courierTracking'), cell: (s) => <>{s.carrier ?? '—'}{s.tracking_code ? <><br /><code>{s.tracking_code}</code></> : ''}</> },
            { header: t('shipping.label'), cell: (s) => (hasLabel(s) ? <a href={labelPath(s.id)} hx-boost="false" download={s.label_file_name ?? undefined} aria-label={t('shipping.downloadLabelOf', { name: s.picking_name })}>{t('shipping.downloadLabel')}</a> : '—') },
            { header: t('shipping.updated'), cell: (s) => <Time ui={ui} ms={s.updated_at} />, class: 'nowrap' },
          ]} />
        </section>
      )}
    </>
  ));
}

function RowActions({ ui, row, back }: { ui: Ui; row: DeliveryRow; back: string }) {
  const { t } = ui;
  const s = row.shipment;
  if (row.state === 'readyToShip' || row.state === 'refused') {
    return <a href={pickingPath(row.picking.id, row.connection)} role="button" class="small" aria-label={t('shipping.openOf', { name: row.picking.name })}>{t('shipping.open')}</a>;
  }
  if (s && s.step === 'ready' && s.handover_requested_at === null) {
    return <ActionButton ui={ui} action={`/shipping/picking/${row.picking.id}/handover`} fields={{ connection: row.connection.name, back }} label={t('shipping.handOver')} ariaLabel={t('shipping.handOverOf', { name: row.picking.name })} />;
  }
  if (s && handingOver(s)) return <span class="muted">{t('shipping.handOverRequested')}</span>;
  return <></>;
}

// ---------------------------------------------------------------- the label

/** `attachment`, with an ASCII name for old clients and the exact name (RFC 5987) for the rest. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\w.\- ]/g, '_') || 'label.pdf';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

async function labelDownload(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const id = positiveInt(c.req.param('id'), 0);
  if (!id) return notFoundPage(c);
  const shipping = shippingOf(c);
  const back = <p><a href="/shipping">{t('shipping.back')}</a></p>;
  if (!shipping) return renderPage(c, t('shipping.label'), <>{back}<Notice kind="info">{t('shipping.unavailable')}</Notice></>);
  try {
    const label = await shipping.label(id);
    return c.body(new Uint8Array(label.pdf), 200, { 'Content-Type': 'application/pdf', 'Content-Disposition': contentDisposition(label.fileName) });
  } catch (error) {
    if (error instanceof ValidationError) return notFoundPage(c);
    c.get('services').ctx.logger.warn({ err: errorMessage(error), shipmentId: id }, 'label download failed');
    return renderPage(c, t('shipping.label'), <>{back}<Notice kind="error">{t('shipping.picking.unreachable', { reason: errorMessage(error) })}</Notice></>);
  }
}

// ---------------------------------------------------------------- the page

export const shippingPage = definePage({
  id: 'shipping',
  nav: { path: '/shipping', label: 'shipping.nav', order: 250, access: 'operator' },
  messages,
  routes(r, services) {
    /** The delivery and connection a POST is about; null when either is unknown. */
    const target = async (c: ConsoleContext) => {
      const form = await formOf(c);
      const id = positiveInt(c.req.param('id'), 0);
      const pick = await pickConnection(services.ctx.db, form.connection);
      return { form, id, connection: id && pick.chosen ? pick.chosen : null };
    };

    r.get('/shipping', 'operator', listView);
    r.get('/shipping/picking/:id', 'operator', pickingView);
    r.get('/shipping/picking/:id/status', 'operator', statusView);
    r.get('/shipping/shipments/:id/label', 'operator', labelDownload);

    r.post('/shipping/picking/:id/ship', 'operator', async (c) => {
      const shipping = shippingOf(c);
      const { form, id, connection } = await target(c);
      if (!shipping || !connection) return notFoundPage(c);
      const page = pickingPath(id, connection);
      // "carrierId:service" from the radio; the service may be empty (a courier without services).
      const [courier, ...rest] = (form.courier ?? '').split(':');
      const service = rest.join(':');
      const pickupId = positiveInt(form.pickup, 0);
      try {
        const result = await shipping.ship(connection.id, id, {
          courier: courier || undefined, service: service || undefined, pickupId: pickupId || undefined, requestedBy: c.get('user')!.login,
        });
        const name = result.shipment.picking_name;
        return redirectTo(c, page, result.queued ? { kind: 'success', key: 'shipping.ship.queued', params: { name } } : { kind: 'info', key: 'shipping.ship.already', params: { name } });
      } catch (error) {
        // Refused before any Poleepo call: the page lists every reason again when it reloads.
        if (error instanceof ShipRefusedError) return redirectTo(c, page, { kind: 'error', key: 'shipping.ship.refused' });
        if (!(error instanceof ValidationError)) services.ctx.logger.warn({ err: errorMessage(error), pickingId: id }, 'ship from the console failed');
        return redirectTo(c, page, { kind: 'error', key: 'shipping.ship.failed', params: { reason: errorMessage(error) } });
      }
    });

    r.post('/shipping/picking/:id/handover', 'operator', async (c) => {
      const shipping = shippingOf(c);
      const { form, id, connection } = await target(c);
      if (!shipping || !connection) return notFoundPage(c);
      const back = safeBack(form.back, pickingPath(id, connection));
      try {
        const { shipment } = await shipping.handOver(connection.id, id, c.get('user')!.login);
        return redirectTo(c, back, { kind: 'success', key: 'shipping.handOver.queued', params: { name: shipment.picking_name } });
      } catch (error) {
        if (!(error instanceof ValidationError)) services.ctx.logger.warn({ err: errorMessage(error), pickingId: id }, 'hand-over from the console failed');
        return redirectTo(c, back, { kind: 'error', key: 'shipping.handOver.failed', params: { reason: errorMessage(error) } });
      }
    });

    r.post('/shipping/picking/:id/refresh', 'operator', async (c) => {
      const shipping = shippingOf(c);
      const { id, connection } = await target(c);
      if (!shipping || !connection) return notFoundPage(c);
      const page = pickingPath(id, connection);
      const s = await shipping.shipmentOf(connection.id, id);
      if (!s || s.step === 'refused') return redirectTo(c, page, { kind: 'error', key: 'shipping.refresh.none', params: { name: s?.picking_name ?? `#${id}` } });
      // Before its label, "refresh" runs the ship task again (it resumes where it stopped); after, it re-reads Poleepo.
      if (s.step === 'creating' || s.step === 'labelling') await shipping.resume(s);
      else await shipping.queueSync(s);
      return redirectTo(c, page, { kind: 'info', key: 'shipping.refresh.queued', params: { name: s.picking_name } });
    });
  },
});

