import type { SandboxCatalog } from './poleepo-sandbox.catalog.ts';
import type { SandboxShippings } from './poleepo-sandbox.shippings.ts';

/** Reference data every Poleepo account has: categories, tags, couriers, package types, a pickup address. */
export function seedReferenceData(catalog: SandboxCatalog, shippings: SandboxShippings): void {
  catalog.addCategory('NON CATEGORIZZATO', 'NON CATEGORIZZATO', 8360);
  catalog.addCategory('Abbigliamento', 'Abbigliamento', 8361);
  catalog.addCategory('T-shirt', 'Abbigliamento > T-shirt', 8362);
  catalog.addCategory('Casa', 'Casa', 8363);
  for (const [id, value] of [[1, 'estate'], [2, 'saldi'], [3, 'novità'], [4, 'outlet']] as const) catalog.tags.set(id, value);

  // Tariffs: EUR without VAT for the first kg to Italy, plus per further started kg (assumed, plausible list prices).
  const t = (base: number, perKg: number) => ({ base, perKg });
  const carriers = [
    { id: 1, code: 'BRT', name: 'BRT Bartolini', services: [{ code: 'STANDARD', name: 'Standard', tariff: t(6.9, 0.45) }, { code: 'EXPRESS', name: 'Express', tariff: t(9.9, 0.6) }] },
    { id: 2, code: 'GLS', name: 'GLS Italy', services: [{ code: 'BUSINESS', name: 'Business Parcel', tariff: t(6.5, 0.5) }] },
    { id: 3, code: 'SDA', name: 'SDA Express Courier', services: [{ code: 'EXTRALARGE', name: 'Extra Large', tariff: t(12.5, 0.35) }, { code: 'STANDARD', name: 'Standard', tariff: t(6.2, 0.5) }] },
    { id: 4, code: 'POSTE', name: 'Poste Italiane', services: [{ code: 'CRONO', name: 'Crono', tariff: t(7.9, 0.55) }, { code: 'PACCO_ORDINARIO', name: 'Pacco Ordinario', tariff: t(5.9, 0.4) }] },
  ];
  for (const c of carriers) shippings.carriers.set(c.id, c);
  const packages = [
    { id: 1, name: 'Busta imbottita', weight: 1, width: 25, height: 3, depth: 35 },
    { id: 2, name: 'Scatola piccola', weight: 5, width: 30, height: 20, depth: 10 },
    { id: 3, name: 'Scatola media', weight: 15, width: 40, height: 30, depth: 30 },
    { id: 4, name: 'Scatola grande', weight: 30, width: 60, height: 40, depth: 40 },
  ];
  for (const p of packages) shippings.packageTypes.set(p.id, p);
  shippings.pickupAddresses.set(1, {
    id: 1, name: 'Magazzino principale', company: 'Negozio Demo S.r.l.', address: 'Via dell\'Industria 12', postcode: '20090',
    city: 'Segrate', state_iso: 'MI', country_iso: 'IT', phone: '+39 02 0000000', is_default: true,
  });
  shippings.pickupAddresses.set(2, {
    id: 2, name: 'Deposito Bologna', company: 'Negozio Demo S.r.l.', address: 'Via Emilia 200', postcode: '40133',
    city: 'Bologna', state_iso: 'BO', country_iso: 'IT', phone: '+39 051 0000000', is_default: false,
  });
}

/** A few products (a simple one, a parent with two variants) and their publications, for demos. */
export function seedProducts(catalog: SandboxCatalog, now: number): void {
  catalog.insert({ sku: 'MUG-CLASSIC', title: 'Tazza classica', price: 8.2, vat_rate: 22, quantity: 40, main_category_id: 8363, ean: '8000000000017' }, now);
  catalog.insert({ sku: 'TSHIRT', title: 'T-shirt cotone', type: 'PARENT', price: 16.39, vat_rate: 22, quantity: 0, main_category_id: 8362 }, now);
  catalog.insert({ sku: 'TSHIRT-RED-M', title: 'T-shirt cotone Rosso M', type: 'VARIANT', parent_sku: 'TSHIRT', price: 16.39, vat_rate: 22, quantity: 12, main_category_id: 8362, attributes: [{ name: 'Colore', value: 'Rosso' }, { name: 'Taglia', value: 'M' }] }, now);
  catalog.insert({ sku: 'TSHIRT-RED-L', title: 'T-shirt cotone Rosso L', type: 'VARIANT', parent_sku: 'TSHIRT', price: 16.39, vat_rate: 22, quantity: 7, main_category_id: 8362, attributes: [{ name: 'Colore', value: 'Rosso' }, { name: 'Taglia', value: 'L' }] }, now);
  catalog.addPublication({ sku: 'MUG-CLASSIC', source_id: '7712345678901', source: { id: 'SHOPIFY', name: 'Shopify' } });
  catalog.addPublication({ sku: 'TSHIRT-RED-M', source_id: 'B0TSHRTM01', source: { id: 'AMAZON', name: 'Amazon' } });
  catalog.addPublication({ sku: 'TSHIRT-RED-L', source_id: 'B0TSHRTL01', source: { id: 'AMAZON', name: 'Amazon' } });
}
