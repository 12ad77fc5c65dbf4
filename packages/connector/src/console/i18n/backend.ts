import type { Lang } from '../../auth/auth.roles.ts';

/**
 * The backend writes its reasons in English (logs, CLI, task rows): parked orders, product problems, dead-letter
 * reasons, batch errors. The console is the place people read them, so at this boundary the known ones are put in
 * the reader's language. Each rule is an English pattern (anchored, groups for the variable parts) and its Italian
 * wording; parts of a message (`;`-separated) and the worker's wrappers (`ClassName: …`, "(gave up after N
 * attempts)", "; no attempts left") are translated one by one. An unknown message is shown as it is: better English
 * than nothing, and test/console.backend-i18n.test.ts lists the known messages that must never reach an Italian page.
 */
type Rule = [RegExp, string | ((...groups: string[]) => string)];

/** "another currency" → "un'altra valuta"; a currency code as it is. */
const currencyWords = (home: string) => (home === 'another currency' ? "un'altra valuta" : home);

/** "variant 12, variant 13" → "variante 12, variante 13". */
const variants = (list: string) => list.replace(/\bvariant (\d+)/g, 'variante $1');

/** "invoice" → "della fattura", "credit note" → "della nota di credito". */
const documentOf = (kind: string) => (kind === 'invoice' ? 'della fattura' : 'della nota di credito');

const RULES: Rule[] = [
  // Products (mapper, detector, service, batcher).
  [/^The variant has no SKU: fill "SKU for Poleepo" or the Internal Reference$/, 'La variante non ha uno SKU: compila "SKU per Poleepo" o il Riferimento interno'],
  [/^no sales tax of the company on this product: vat_rate sent as 0$/, "nessuna imposta di vendita dell'azienda su questo prodotto: vat_rate inviato come 0"],
  [/^no percent tax among the product's sales taxes: vat_rate sent as 0$/, 'nessuna imposta percentuale tra le imposte di vendita del prodotto: vat_rate inviato come 0'],
  [/^Unknown weight unit "(.*)": weights are sent as they are$/, 'Unità di peso "$1" sconosciuta: i pesi sono inviati così come sono'],
  [/^Unknown length unit "(.*)": dimensions are taken as millimetres$/, 'Unità di lunghezza "$1" sconosciuta: le dimensioni sono considerate in millimetri'],
  [/^The mapped Odoo field "(.*)" does not exist: it is not sent$/, 'Il campo Odoo mappato "$1" non esiste: non viene inviato'],
  [/^SKU "(.*)" is also used by (.*): give each published variant its own SKU$/, (sku, list) => `Lo SKU "${sku}" è usato anche da ${variants(list)}: dai a ogni variante pubblicata il suo SKU`],
  [/^SKU "(.*)" equals the parent SKU of template (\S+): change it or set a parent SKU prefix$/, 'Lo SKU "$1" coincide con lo SKU padre del modello $2: cambialo o imposta un prefisso per lo SKU padre'],
  [/^Another published variant also has SKU "(.*)"$/, 'Anche un\'altra variante pubblicata ha lo SKU "$1"'],
  [/^The price with tax does not match Odoo$/, 'Il prezzo con imposte non corrisponde a Odoo'],
  [/^tax mismatch$/, 'imposte non corrispondenti'],
  [/^Poleepo has SKU (\S+) \(product (\S+)\): bound to it and re-queued as an update$/, 'Poleepo ha già lo SKU $1 (prodotto $2): collegato e rimesso in coda come aggiornamento'],
  [/^Not confirmed by Poleepo \(the connector stopped while sending\): re-queued$/, "Non confermato da Poleepo (il connettore si è fermato durante l'invio): rimesso in coda"],
  [/^There is no active connection yet$/, "Non c'è ancora nessuna connessione attiva"],
  // Orders (parked, refused, flagged).
  [/^Unknown SKUs? (.*): no product in Odoo has it as Poleepo SKU, internal reference or barcode$/, 'SKU sconosciuto $1: nessun prodotto in Odoo lo ha come SKU Poleepo, riferimento interno o codice a barre'],
  [/^SKU "(.*)" matches (\d+) products on (\S+) \(ids (.*)\)$/, 'Lo SKU "$1" corrisponde a $2 prodotti su $3 (id $4)'],
  [/^Map the SKU to exactly one product in Odoo, then retry the order\.$/, "Associa lo SKU a un solo prodotto in Odoo, poi riprova l'ordine."],
  [/^VAT (\S+)% on Poleepo but the company has no sales tax of that rate: the product's own taxes were used$/, "IVA $1% su Poleepo ma l'azienda non ha un'imposta di vendita con quell'aliquota: sono state usate le imposte del prodotto"],
  [/^The configured carrier \(delivery\.carrier (\S+)\) does not exist in Odoo for this company: fix the connection's orders\.defaultCarrierId, then retry the order\.$/, "Il vettore configurato (delivery.carrier $1) non esiste in Odoo per questa azienda: correggi orders.defaultCarrierId della connessione, poi riprova l'ordine."],
  [/^The order has a shipping cost but Odoo has no delivery carrier to put it on: create a shipping method \(Inventory › Configuration › Shipping Methods\) or set orders\.defaultCarrierId, then retry the order\.$/, "L'ordine ha un costo di spedizione ma Odoo non ha un vettore a cui attribuirlo: crea un metodo di spedizione (Magazzino › Configurazione › Metodi di spedizione) o imposta orders.defaultCarrierId, poi riprova l'ordine."],
  [/^Poleepo did not send this order's (.*): the API key's Orders permission hides them\. Allow sensitive customer data and prices on the key \(Poleepo › Settings › API\), then retry\. Nothing was imported\.$/,
    (what) => `Poleepo non ha inviato ${what.replace('customer data (name, addresses)', 'i dati del cliente (nome, indirizzi)').replace('order lines', 'le righe').replace('prices', 'i prezzi').replaceAll(' and ', ' e ')} di questo ordine: il permesso Ordini della chiave API li nasconde. Consenti dati sensibili dei clienti e prezzi sulla chiave (Poleepo › Impostazioni › API), poi riprova. Nulla è stato importato.`],
  [/^Sale order (.*) no longer exists in Odoo: the connector does not create it again behind your back \(restore it in Odoo if it was deleted by mistake\)\.$/, "L'ordine di vendita $1 non esiste più in Odoo: il connettore non lo ricrea a tua insaputa (ripristinalo in Odoo se è stato eliminato per errore)."],
  [/^Cancelled in Odoo, but Poleepo refused the cancellation \(status (\S+)\)$/, "Annullato in Odoo, ma Poleepo ha rifiutato l'annullamento (stato $1)"],
  [/^Cancelled in Odoo while Poleepo says (\S+): review it on Poleepo\.$/, 'Annullato in Odoo mentre Poleepo dice $1: verificalo su Poleepo.'],
  [/^(Cancelled|Refunded) on Poleepo, but (.*): not cancelled in Odoo\. Review it \(return, credit note\)\.$/, (what, blocker) => `${what === 'Cancelled' ? 'Annullato' : 'Rimborsato'} su Poleepo, ma ${blocker
    .replace('goods were already delivered', 'la merce è già stata consegnata').replace(' and it was invoiced', ' ed è stato fatturato').replace('it was invoiced', 'è stato fatturato')}: non annullato in Odoo. Verificalo (reso, nota di credito).`],
  // Orders' amounts (orders.importer.ts, orders.amounts.ts, orders.taxes.ts, orders.discount-product.ts).
  // A reason is translated clause by clause (split at "; " and at ". " before a capital), so these rules are clauses.
  [/^Total differs: (\S+) in Odoo vs (\S+) on Poleepo( \(\w+\))?, more than the (\S+) allowed$/,
    (odoo, poleepo, currency, allowed) => `Il totale non corrisponde: ${odoo} in Odoo contro ${poleepo} su Poleepo${currency}, oltre i ${allowed} ammessi`],
  [/^Check the taxes of the products\.$/, 'Controlla le imposte dei prodotti.'],
  [/^Odoo keeps the order in (\S+), Poleepo's is in (\S+): check the order's pricelist$/, "Odoo tiene l'ordine in $1, quello di Poleepo è in $2: controlla il listino dell'ordine"],
  [/^Poleepo's total (\S+) is not the sum of its lines, discounts, shipping and vouchers \((\S+)\): Poleepo charged something the order does not detail$/,
    "Il totale di Poleepo $1 non è la somma di righe, sconti, spedizione e buoni ($2): Poleepo ha addebitato qualcosa che l'ordine non dettaglia"],
  [/^([^;:]+): line total (\S+) in Odoo vs (\S+) on the marketplace$/, '$1: totale riga $2 in Odoo contro $3 sul marketplace'],
  [/^The order has discounts or vouchers, but the company has no Discount product and the connector's Odoo user may not create one$/,
    "L'ordine ha sconti o buoni, ma l'azienda non ha un prodotto Sconto e l'utente Odoo del connettore non può crearne uno"],
  [/^Create a service product with internal reference (\S+) and no taxes \(or apply a fixed-amount discount once with Odoo's Discount button, which creates Odoo's own\), then retry the order\.$/,
    "Crea un prodotto di tipo servizio con riferimento interno $1 e senza imposte (oppure applica una volta uno sconto a importo fisso con il pulsante Sconto di Odoo, che crea il suo), poi riprova l'ordine."],
  // Orders in another currency (orders.currency.ts).
  [/^The order is in (\w+), but this company keeps its accounts in (.+?) and Odoo does not know the currency \w+\. Add it \(Accounting › Configuration › Currencies\), create a pricelist in \w+, then retry the order\. Nothing was imported\.$/,
    (c, home) => `L'ordine è in ${c}, ma questa azienda tiene la contabilità in ${currencyWords(home)} e Odoo non conosce la valuta ${c}. Aggiungila (Contabilità › Configurazione › Valute), crea un listino in ${c}, poi riprova l'ordine. Nulla è stato importato.`],
  [/^The order is in (\w+), but this company keeps its accounts in (.+?) and this Odoo has no pricelists to put an order in another currency\. Nothing was imported\.$/,
    (c, home) => `L'ordine è in ${c}, ma questa azienda tiene la contabilità in ${currencyWords(home)} e questo Odoo non ha listini per registrare un ordine in un'altra valuta. Nulla è stato importato.`],
  [/^The order is in (\w+), but this company keeps its accounts in (.+?) and Odoo has no active pricelist in \w+: (.*), then retry the order\. Nothing was imported\.$/,
    (c, home, steps) => `L'ordine è in ${c}, ma questa azienda tiene la contabilità in ${currencyWords(home)} e Odoo non ha un listino attivo in ${c}: ${steps
      .replace(/activate the currency (\w+) \(Accounting › Configuration › Currencies\)/, 'attiva la valuta $1 (Contabilità › Configurazione › Valute)')
      .replace(/create a pricelist in (\w+) for this company \(Sales › Configuration › Settings › Pricelists, then Sales › Products › Pricelists\)/, 'crea un listino in $1 per questa azienda (Vendite › Configurazione › Impostazioni › Listini, poi Vendite › Prodotti › Listini)')}, poi riprova l'ordine. Nulla è stato importato.`],
  // Invoices (invoices.words.ts), clause by clause.
  [/^Odoo cannot make the PDF of (invoice|credit note) (.+): wkhtmltopdf, the program Odoo prints PDFs with, is not installed on the Odoo server$/,
    (kind, name) => `Odoo non può creare il PDF ${documentOf(kind)} ${name}: wkhtmltopdf, il programma con cui Odoo stampa i PDF, non è installato sul server Odoo`],
  [/^Install it there \(the version Odoo recommends\) and restart Odoo$/, 'Installalo lì (la versione raccomandata da Odoo) e riavvia Odoo'],
  [/^the connector tries again every hour, or now with "invoices send"\.$/, 'il connettore riprova ogni ora, o subito con "invoices send".'],
  [/^Odoo could not make the PDF of (invoice|credit note) ([^:]+): (.*)$/, (kind, name, why) => `Odoo non è riuscito a creare il PDF ${documentOf(kind)} ${name}: ${why}`],
  [/^Odoo has no "Poleepo: PDF della fattura" server action, which makes the invoice PDFs: run "poleepo-odoo odoo provision" for this connection$/,
    'Odoo non ha l\'azione server "Poleepo: PDF della fattura", che crea i PDF delle fatture: esegui "poleepo-odoo odoo provision" per questa connessione'],
  [/^The connector tries again every hour\.$/, 'Il connettore riprova ogni ora.'],
  [/^Odoo has nothing to invoice on (\S+): everything on it is invoiced already, or its products are invoiced on delivered quantities and nothing was delivered yet\.$/,
    "Odoo non ha nulla da fatturare su $1: è già tutto fatturato, oppure i suoi prodotti si fatturano sulle quantità consegnate e non è ancora stato consegnato nulla."],
  [/^Odoo has nothing to invoice on (\S+): a draft invoice of it is waiting in Odoo \((.*)\): post it in Odoo and the connector sends it to Poleepo\.$/,
    "Odoo non ha nulla da fatturare su $1: una sua fattura in bozza attende in Odoo ($2): confermala in Odoo e il connettore la invia a Poleepo."],
  [/^Poleepo refused (invoice|credit note) ([^:]+): (.*)\. Nothing was stored on Poleepo; fix it and send again\.$/s,
    (kind, name, why) => `Poleepo ha rifiutato ${kind === 'invoice' ? 'la fattura' : 'la nota di credito'} ${name}: ${why}. Nulla è stato registrato su Poleepo; correggi e invia di nuovo.`],
  // Task queue.
  [/^Invalid payload for "(.*)": (.*)$/, 'Dati del task "$1" non validi: $2'],
];

/** Error classes the worker prefixes a dead-letter reason with, in words. */
const CLASSES_IT: Record<string, string> = {
  NotConfiguredError: 'Configurazione mancante',
  PermanentError: 'Errore definitivo',
  RetryableError: 'Errore temporaneo',
  RateLimitedError: 'Limite di richieste superato',
  ValidationError: 'Dati non validi',
  OrderParkedError: 'Ordine sospeso',
  TimeoutError: 'Tempo scaduto',
  AbortError: 'Interrotto',
};

function translatePart(part: string): string {
  for (const [pattern, replacement] of RULES) {
    const m = pattern.exec(part);
    if (!m) continue;
    return typeof replacement === 'string' ? part.replace(pattern, replacement) : replacement(...m.slice(1).map((g) => g ?? ''));
  }
  return part;
}

function translateBody(body: string): string {
  const whole = translatePart(body);
  if (whole !== body) return whole;
  // A reason made of clauses ("Unknown SKU …; SKU … matches …. Map the SKU …"): each clause on its own.
  return body.split(/(; |\. (?=[A-Z]))/).map((piece, i) => (i % 2 === 1 ? piece : translatePart(piece))).join('');
}

/** A backend message (reason, problem, warning) in the reader's language; English as it is. */
export function backendMessage(text: string, lang: Lang): string {
  if (lang === 'en' || !text) return text;
  let rest = text;
  let suffix = '';
  if (rest.endsWith('; no attempts left')) {
    rest = rest.slice(0, -'; no attempts left'.length);
    suffix = '; nessun tentativo rimasto';
  }
  const gaveUp = /^(.*) \(gave up after (\d+) attempts?\)$/s.exec(rest);
  if (gaveUp?.[1] !== undefined && gaveUp[2] !== undefined) {
    rest = gaveUp[1];
    suffix = ` (abbandonato dopo ${gaveUp[2]} ${gaveUp[2] === '1' ? 'tentativo' : 'tentativi'})${suffix}`;
  }
  let prefix = '';
  const withClass = /^([A-Z][A-Za-z0-9]*(?:Error|Exception)): (.*)$/s.exec(rest);
  if (withClass?.[1] !== undefined && withClass[2] !== undefined) {
    const name = withClass[1];
    prefix = `${CLASSES_IT[name] ?? `Errore (${name})`}: `;
    rest = withClass[2];
  }
  return `${prefix}${translateBody(rest)}${suffix}`;
}

/** sale.order states as Odoo's Italian interface names them. */
const ODOO_ORDER_STATES: Record<string, { it: string; en: string }> = {
  draft: { it: 'Preventivo', en: 'Quotation' },
  sent: { it: 'Preventivo inviato', en: 'Quotation sent' },
  sale: { it: 'Ordine di vendita', en: 'Sales order' },
  done: { it: 'Bloccato', en: 'Locked' },
  cancel: { it: 'Annullato', en: 'Cancelled' },
};

/** An Odoo sale order state (`sale`) in words, with the technical value kept for English readers who search it. */
export function odooOrderState(state: string, lang: Lang): string {
  const words = ODOO_ORDER_STATES[state];
  return words ? words[lang] : state;
}
