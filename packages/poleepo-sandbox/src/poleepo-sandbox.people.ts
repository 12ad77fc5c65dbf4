import { Rng } from './poleepo-sandbox.util.ts';

/**
 * Believable Italian customers for generated orders: private buyers (often with a fiscal code) and businesses (VAT
 * number with a valid check digit, SDI code or PEC), invoice and delivery addresses that sometimes differ.
 * All e-mail domains are example.it.
 */
export interface SandboxAddress {
  name: string;
  surname: string;
  company: string | null;
  vat_number: string | null;
  fiscal_code: string | null;
  sdi_code: string | null;
  pec: string | null;
  address: string;
  postcode: string;
  city: string;
  state_iso: string;
  country_iso: string;
  phone: string | null;
  email: string | null;
}

export interface SandboxCustomer {
  id: number;
  firstname: string;
  lastname: string;
  email: string;
  phone: string | null;
  fiscal_code: string | null;
  company: string | null;
  vat_number: string | null;
  sdi_code: string | null;
  pec: string | null;
}

export interface GeneratedPerson {
  customer: Omit<SandboxCustomer, 'id'>;
  invoice_address: SandboxAddress;
  delivery_address: SandboxAddress;
}

const MALE = ['Marco', 'Luca', 'Giuseppe', 'Francesco', 'Alessandro', 'Andrea', 'Matteo', 'Lorenzo', 'Davide', 'Simone'];
const FEMALE = ['Giulia', 'Francesca', 'Chiara', 'Sara', 'Martina', 'Valentina', 'Elena', 'Federica', 'Alessia', 'Silvia'];
const SURNAMES = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Costa', 'Giordano', 'Mancini', 'Rizzo', 'Lombardi', 'Moretti'];
const STREETS = ['Via Roma', 'Via Garibaldi', 'Corso Italia', 'Via Mazzini', 'Piazza del Duomo', 'Via Verdi', 'Viale dei Mille', 'Via Cavour', 'Via Dante Alighieri', "Via XX Settembre"];
/** [city, province, postcode, cadastral code] */
const CITIES: [string, string, string, string][] = [
  ['Roma', 'RM', '00184', 'H501'], ['Milano', 'MI', '20121', 'F205'], ['Napoli', 'NA', '80133', 'F839'],
  ['Torino', 'TO', '10121', 'L219'], ['Bologna', 'BO', '40121', 'A944'], ['Firenze', 'FI', '50123', 'D612'],
  ['Palermo', 'PA', '90133', 'G273'], ['Venezia', 'VE', '30124', 'L736'], ['Bari', 'BA', '70121', 'A662'],
  ['Genova', 'GE', '16121', 'D969'], ['Verona', 'VR', '37121', 'L781'], ['Padova', 'PD', '35121', 'G224'],
];
const COMPANY_FORMS = ['S.r.l.', 'S.n.c.', 'S.a.s.', 'S.p.A.'];
const COMPANY_TRADES = ['Ferramenta', 'Bottega', 'Emporio', 'Forniture', 'Casa', 'Tecnica'];

export function generatePerson(rng: Rng): GeneratedPerson {
  const female = rng.chance(0.5);
  const firstname = rng.pick(female ? FEMALE : MALE);
  const lastname = rng.pick(SURNAMES);
  const [city, province, postcode, cadastral] = rng.pick(CITIES);
  const birth = { year: rng.int(1950, 2004), month: rng.int(1, 12), day: rng.int(1, 28) };
  const business = rng.chance(0.3);
  const slug = (s: string) => s.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');
  const email = `${slug(firstname)}.${slug(lastname)}${rng.digits(2)}@example.it`;
  const phone = rng.chance(0.85) ? `+39 3${rng.digits(2)} ${rng.digits(7)}` : null;
  const fiscalCode = business || rng.chance(0.5) ? italianFiscalCode(lastname, firstname, birth, female, cadastral) : null;
  let company: string | null = null;
  let vat: string | null = null;
  let sdi: string | null = null;
  let pec: string | null = null;
  if (business) {
    company = `${rng.pick(COMPANY_TRADES)} ${lastname} ${rng.pick(COMPANY_FORMS)}`;
    vat = `IT${italianVatNumber(rng)}`;
    if (rng.chance(0.7)) sdi = sdiCode(rng);
    else {
      sdi = '0000000';
      pec = `${slug(company)}@pec.example.it`;
    }
  }
  const street = () => `${rng.pick(STREETS)} ${rng.int(1, 180)}`;
  const invoice: SandboxAddress = {
    name: firstname, surname: lastname, company, vat_number: vat, fiscal_code: fiscalCode, sdi_code: sdi, pec,
    address: street(), postcode, city, state_iso: province, country_iso: 'IT', phone, email,
  };
  let delivery: SandboxAddress = { ...invoice, vat_number: null, fiscal_code: null, sdi_code: null, pec: null };
  if (rng.chance(business ? 0.5 : 0.15)) {
    const [dCity, dProvince, dPostcode] = rng.pick(CITIES);
    delivery = { ...delivery, company: null, address: street(), city: dCity, state_iso: dProvince, postcode: dPostcode };
  }
  return {
    customer: { firstname, lastname, email, phone, fiscal_code: fiscalCode, company, vat_number: vat, sdi_code: sdi, pec },
    invoice_address: invoice,
    delivery_address: delivery,
  };
}

const MONTHS = 'ABCDEHLMPRST';
const ODD: Record<string, number> = {
  0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21,
  A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20, O: 11, P: 3, Q: 6,
  R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23,
};

/** An Italian codice fiscale with the correct check character. */
export function italianFiscalCode(surname: string, name: string, birth: { year: number; month: number; day: number }, female: boolean, cadastral: string): string {
  const letters = (s: string) => s.toUpperCase().normalize('NFD').replace(/[^A-Z]/g, '');
  const split = (s: string) => ({ cons: letters(s).replace(/[AEIOU]/g, ''), vow: letters(s).replace(/[^AEIOU]/g, '') });
  const s = split(surname);
  const surnameCode = (s.cons + s.vow + 'XXX').slice(0, 3);
  const n = split(name);
  const nameCode = n.cons.length >= 4 ? n.cons[0] + n.cons[2] + n.cons[3] : (n.cons + n.vow + 'XXX').slice(0, 3);
  const day = birth.day + (female ? 40 : 0);
  const partial = `${surnameCode}${nameCode}${String(birth.year % 100).padStart(2, '0')}${MONTHS[birth.month - 1]}${String(day).padStart(2, '0')}${cadastral}`;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = partial[i];
    sum += i % 2 === 0 ? ODD[c] : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  }
  return partial + String.fromCharCode(65 + (sum % 26));
}

/** An 11-digit partita IVA with a valid check digit. */
export function italianVatNumber(rng: Rng): string {
  const base = rng.digits(7) + String(rng.int(1, 100)).padStart(3, '0');
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(base[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return base + String((10 - (sum % 10)) % 10);
}

function sdiCode(rng: Rng): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < 7; i++) s += chars[rng.int(0, chars.length - 1)];
  return s;
}

/** Sales channels and the look of their order references and prepaid payment methods (cash on delivery is drawn
 * separately, docs/poleepo-api.md §4.5). */
export const CHANNELS: Record<string, { name: string; reference: (rng: Rng) => string; payments: string[] }> = {
  AMAZON: { name: 'Amazon', reference: (r) => `${r.digits(3)}-${r.digits(7)}-${r.digits(7)}`, payments: ['AMAZON_PAY'] },
  EBAY: { name: 'eBay', reference: (r) => `${r.digits(2)}-${r.digits(5)}-${r.digits(5)}`, payments: ['PAYPAL', 'EBAY_MANAGED_PAYMENTS'] },
  SHOPIFY: { name: 'Shopify', reference: (r) => `#${r.int(1001, 99999)}`, payments: ['SHOPIFY_PAYMENTS', 'PAYPAL'] },
  WOOCOMMERCE: { name: 'WooCommerce', reference: (r) => `WC-${r.digits(5)}`, payments: ['STRIPE', 'BANK_TRANSFER'] },
  PRESTASHOP: { name: 'PrestaShop', reference: (r) => Array.from({ length: 9 }, () => String.fromCharCode(65 + r.int(0, 25))).join(''), payments: ['PAYPAL', 'BANK_TRANSFER'] },
  MANOMANO: { name: 'ManoMano', reference: (r) => `M${r.digits(10)}`, payments: ['MANOMANO'] },
  TIKTOK: { name: 'TikTok Shop', reference: (r) => r.digits(18), payments: ['TIKTOK_PAY'] },
};

/** `AMAZON`, `amazon`, `Amazon` → the channel; an unknown channel keeps its name. */
export function resolveChannel(channel: string | undefined, rng: Rng): { id: string; name: string } {
  if (!channel) {
    const id = rng.pick(Object.keys(CHANNELS));
    return { id, name: CHANNELS[id].name };
  }
  const id = channel.trim().toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  const known = CHANNELS[id] ?? Object.entries(CHANNELS).find(([, c]) => c.name.toUpperCase() === channel.trim().toUpperCase())?.[1];
  const knownId = CHANNELS[id] ? id : Object.keys(CHANNELS).find((k) => CHANNELS[k] === known);
  return known && knownId ? { id: knownId, name: known.name } : { id, name: channel.trim() };
}
