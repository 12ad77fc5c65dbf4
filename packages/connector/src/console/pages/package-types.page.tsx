import { definePage, type ConsoleContext } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, FilterBar, SelectField } from '../components/forms.tsx';
import { Badge } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { formatDimensionsCm, formatKg } from '../components/numbers.ts';
import { pickConnection } from '../components/connection-pick.tsx';
import { uiOf, type Ui } from '../components/ui.ts';
import type { ConnectionName } from '../console.lookups.ts';
import { roleAllows } from '../../auth/auth.roles.ts';
import { PackageTypesRepo } from '../../shipping/package-types.repo.ts';
import type { PackageTypeOverview, PackageTypesView } from '../../shipping/package-types.service.ts';
import type { PackageTypeMappingRow, PoleepoPackageTypeRow } from '../../shipping/shipping.tables.ts';
import { ValidationError, errorMessage } from '../../shared/errors.ts';

/**
 * Package types (the original module's "Package Types" page, DESIGN §4.7): the types Poleepo offers (synchronised into
 * the connector) and which one each Odoo package type ships as. A package whose type is not mapped cannot ship. Units
 * are the trap here: Poleepo speaks kilograms and centimetres, Odoo keeps dimensions in its own unit (millimetres by
 * default), so every Odoo value is shown converted, with Odoo's units named. Operators see it (a refused delivery
 * sends them here to understand why); only administrators change it, as with every other configuration.
 */
const messages = defineMessages({
  en: {
    'packageTypes.nav': 'Package types',
    'packageTypes.title': 'Package types',
    'packageTypes.intro': 'Every Odoo package type that is used for parcels must be mapped to a Poleepo package type: a package of an unmapped type cannot ship with Poleepo.',
    'packageTypes.unitsLabel': 'Units.',
    'packageTypes.units': 'Poleepo measures package types in kilograms (maximum weight) and centimetres (width × height × depth). Odoo keeps dimensions in its own length unit (millimetres unless changed) and weights in its weight unit (kilograms or pounds): they are converted and shown here in centimetres and kilograms, with Odoo\'s own units named on each row.',
    'packageTypes.unavailable': 'The Odoo side is not available in this process: the console runs without the connector\'s services. The Poleepo package types and mappings stored in the connector are shown.',
    'packageTypes.connection': 'Connection',
    'packageTypes.adminOnly': 'Only administrators synchronise the package types and change the mapping.',
    'packageTypes.poleepo.title': 'Poleepo package types',
    'packageTypes.poleepo.empty': 'None yet: synchronise them from Poleepo.',
    'packageTypes.sync': 'Synchronise from Poleepo',
    'packageTypes.synced': 'Last synchronised',
    'packageTypes.id': 'Id',
    'packageTypes.name': 'Name',
    'packageTypes.maxWeight': 'Max weight (kg)',
    'packageTypes.dimsWhd': 'Width × height × depth (cm)',
    'packageTypes.dimsWhl': 'Width × height × length (cm)',
    'packageTypes.offered': 'Offered',
    'packageTypes.offered.yes': 'Yes',
    'packageTypes.offered.no': 'No longer',
    'packageTypes.odoo.title': 'Odoo package types',
    'packageTypes.odoo.empty': 'Odoo has no package type: create them in Odoo (Inventory → Configuration → Package Types).',
    'packageTypes.odoo.unreachable': 'Could not read the package types from Odoo: {reason}',
    'packageTypes.odooUnits': 'Odoo: {length}, {weight} — shown in cm, kg',
    'packageTypes.odooUnitsHeader': 'Odoo\'s units',
    'packageTypes.shipsAs': 'Ships as (Poleepo)',
    'packageTypes.shipsAsOf': 'Poleepo package type for {name}',
    'packageTypes.notMapped': '— not mapped —',
    'packageTypes.goneOption': '{name} (no longer offered)',
    'packageTypes.option': '{name} — up to {weight}, {dims}',
    'packageTypes.save': 'Save',
    'packageTypes.heavier': 'Odoo allows up to {odoo}, Poleepo\'s type carries {poleepo}: each package\'s weight is checked when it ships.',
    'packageTypes.orphans.title': 'Mappings of package types deleted in Odoo',
    'packageTypes.orphans.intro': 'These Odoo package types no longer exist in Odoo; their mappings can be removed.',
    'packageTypes.orphanName': 'Odoo package type (as last seen)',
    'packageTypes.unmap': 'Remove mapping',
    'packageTypes.unmapOf': 'Remove the mapping of {name}',
    'packageTypes.mappings.title': 'Mappings stored in the connector',
    'packageTypes.mappings.empty': 'No mapping yet.',
    'packageTypes.sync.done': '{total} package types on Poleepo: {added} new, {updated} updated, {gone} no longer offered.',
    'packageTypes.map.done': 'Odoo package type "{odoo}" now ships as Poleepo package type "{poleepo}".',
    'packageTypes.unmap.done': 'Odoo package type {odoo} is no longer mapped: its packages cannot ship with Poleepo.',
    'packageTypes.unmap.none': 'Odoo package type {odoo} was not mapped.',
    'packageTypes.failed': 'Not done: {reason}',
  },
  it: {
    'packageTypes.nav': 'Tipi di collo',
    'packageTypes.title': 'Tipi di collo',
    'packageTypes.intro': 'Ogni tipo di collo di Odoo usato per le spedizioni deve essere associato a un tipo di collo Poleepo: un collo di un tipo non associato non si può spedire con Poleepo.',
    'packageTypes.unitsLabel': 'Unità di misura.',
    'packageTypes.units': 'Poleepo misura i tipi di collo in chilogrammi (peso massimo) e centimetri (larghezza × altezza × profondità). Odoo conserva le dimensioni nella propria unità di lunghezza (millimetri, se non modificata) e i pesi nella propria unità di peso (chilogrammi o libbre): qui sono convertiti e mostrati in centimetri e chilogrammi, indicando su ogni riga le unità di Odoo.',
    'packageTypes.unavailable': 'La parte Odoo non è disponibile in questo processo: la console è avviata senza i servizi del connettore. Sono mostrati i tipi di collo Poleepo e le associazioni salvati nel connettore.',
    'packageTypes.connection': 'Connessione',
    'packageTypes.adminOnly': 'Solo gli amministratori sincronizzano i tipi di collo e modificano le associazioni.',
    'packageTypes.poleepo.title': 'Tipi di collo Poleepo',
    'packageTypes.poleepo.empty': 'Ancora nessuno: sincronizzali da Poleepo.',
    'packageTypes.sync': 'Sincronizza da Poleepo',
    'packageTypes.synced': 'Ultima sincronizzazione',
    'packageTypes.id': 'Id',
    'packageTypes.name': 'Nome',
    'packageTypes.maxWeight': 'Peso massimo (kg)',
    'packageTypes.dimsWhd': 'Larghezza × altezza × profondità (cm)',
    'packageTypes.dimsWhl': 'Larghezza × altezza × lunghezza (cm)',
    'packageTypes.offered': 'Offerto',
    'packageTypes.offered.yes': 'Sì',
    'packageTypes.offered.no': 'Non più',
    'packageTypes.odoo.title': 'Tipi di collo Odoo',
    'packageTypes.odoo.empty': 'Odoo non ha tipi di collo: creali in Odoo (Magazzino → Configurazione → Tipi di collo).',
    'packageTypes.odoo.unreachable': 'Impossibile leggere i tipi di collo da Odoo: {reason}',
    'packageTypes.odooUnits': 'Odoo: {length}, {weight} — mostrati in cm, kg',
    'packageTypes.odooUnitsHeader': 'Unità di Odoo',
    'packageTypes.shipsAs': 'Spedito come (Poleepo)',
    'packageTypes.shipsAsOf': 'Tipo di collo Poleepo per {name}',
    'packageTypes.notMapped': '— non associato —',
    'packageTypes.goneOption': '{name} (non più offerto)',
    'packageTypes.option': '{name} — fino a {weight}, {dims}',
    'packageTypes.save': 'Salva',
    'packageTypes.heavier': 'Odoo ammette fino a {odoo}, il tipo Poleepo porta {poleepo}: il peso di ogni collo è controllato alla spedizione.',
    'packageTypes.orphans.title': 'Associazioni di tipi di collo eliminati in Odoo',
    'packageTypes.orphans.intro': 'Questi tipi di collo non esistono più in Odoo; le loro associazioni si possono rimuovere.',
    'packageTypes.orphanName': 'Tipo di collo Odoo (come visto l\'ultima volta)',
    'packageTypes.unmap': 'Rimuovi associazione',
    'packageTypes.unmapOf': 'Rimuovi l\'associazione di {name}',
    'packageTypes.mappings.title': 'Associazioni salvate nel connettore',
    'packageTypes.mappings.empty': 'Ancora nessuna associazione.',
    'packageTypes.sync.done': '{total} tipi di collo su Poleepo: {added} nuovi, {updated} aggiornati, {gone} non più offerti.',
    'packageTypes.map.done': 'Il tipo di collo Odoo "{odoo}" ora si spedisce come tipo di collo Poleepo "{poleepo}".',
    'packageTypes.unmap.done': 'Il tipo di collo Odoo {odoo} non è più associato: i suoi colli non si possono spedire con Poleepo.',
    'packageTypes.unmap.none': 'Il tipo di collo Odoo {odoo} non era associato.',
    'packageTypes.failed': 'Non eseguito: {reason}',
  },
});

function pagePath(connection: ConnectionName): string {
  return `/package-types?connection=${connection.id}`;
}

function poleepoDims(p: PoleepoPackageTypeRow, ui: Ui): string {
  return formatDimensionsCm([p.width_cm, p.height_cm, p.depth_cm], ui);
}

function PoleepoTable({ ui, rows }: { ui: Ui; rows: PoleepoPackageTypeRow[] }) {
  const { t } = ui;
  return (
    <DataTable<PoleepoPackageTypeRow> caption={t('packageTypes.poleepo.title')} rows={rows} empty={t('packageTypes.poleepo.empty')} id="poleepo-types" columns={[
      { header: t('packageTypes.id'), cell: (p) => String(p.poleepo_id), class: 'num' },
      { header: t('packageTypes.name'), cell: (p) => p.name },
      { header: t('packageTypes.maxWeight'), cell: (p) => formatKg(p.max_weight_kg, ui), class: 'num' },
      { header: t('packageTypes.dimsWhd'), cell: (p) => poleepoDims(p, ui), class: 'nowrap' },
      { header: t('packageTypes.offered'), cell: (p) => (p.available === 1 ? <Badge tone="ok">{t('packageTypes.offered.yes')}</Badge> : <Badge tone="muted">{t('packageTypes.offered.no')}</Badge>) },
      { header: t('packageTypes.synced'), cell: (p) => <Time ui={ui} ms={p.synced_at} />, class: 'nowrap' },
    ]} />
  );
}

/** The mapping of one Odoo package type: a select and Save for administrators, the name for operators. */
function MappingCell({ ui, row, poleepo, connection, admin }: { ui: Ui; row: PackageTypeOverview; poleepo: PoleepoPackageTypeRow[]; connection: ConnectionName; admin: boolean }) {
  const { t } = ui;
  const current = row.mapping?.poleepo_package_type_id;
  const heavier = row.poleepo && row.poleepo.max_weight_kg !== null && row.odoo.maxWeightKg !== null && row.odoo.maxWeightKg > row.poleepo.max_weight_kg;
  const note = heavier ? <><br /><small class="explain">{t('packageTypes.heavier', { odoo: formatKg(row.odoo.maxWeightKg, ui), poleepo: formatKg(row.poleepo!.max_weight_kg, ui) })}</small></> : '';
  if (!admin) {
    const name = row.poleepo ? (row.poleepo.available === 1 ? row.poleepo.name : t('packageTypes.goneOption', { name: row.poleepo.name })) : t('packageTypes.notMapped');
    return <>{row.mapping ? name : <span class="muted">{name}</span>}{note}</>;
  }
  const options = [
    { value: '', label: t('packageTypes.notMapped') },
    ...poleepo.filter((p) => p.available === 1 || p.poleepo_id === current).map((p) => ({
      value: String(p.poleepo_id),
      label: p.available === 1 ? t('packageTypes.option', { name: p.name, weight: formatKg(p.max_weight_kg, ui), dims: poleepoDims(p, ui) }) : t('packageTypes.goneOption', { name: p.name }),
    })),
  ];
  return (
    <>
      <form method="post" action="/package-types/map" class="row-form compact-map">
        <CsrfField token={ui.csrfToken} />
        <input type="hidden" name="connection" value={String(connection.id)} />
        <input type="hidden" name="odoo" value={String(row.odoo.id)} />
        <SelectField id={`map-${row.odoo.id}`} name="poleepo" label={t('packageTypes.shipsAsOf', { name: row.odoo.name })} hideLabel value={current !== undefined ? String(current) : ''} options={options} />
        <button type="submit" class="small">{t('packageTypes.save')}</button>
      </form>
      {note}
    </>
  );
}

function OdooTable({ ui, view, connection, admin }: { ui: Ui; view: PackageTypesView; connection: ConnectionName; admin: boolean }) {
  const { t } = ui;
  return (
    <DataTable<PackageTypeOverview> caption={t('packageTypes.odoo.title')} rows={view.odoo} empty={t('packageTypes.odoo.empty')} id="odoo-types" columns={[
      { header: t('packageTypes.name'), cell: (o) => <>{o.odoo.name} <small class="muted">#{o.odoo.id}</small></> },
      { header: t('packageTypes.maxWeight'), cell: (o) => formatKg(o.odoo.maxWeightKg, ui), class: 'num' },
      { header: t('packageTypes.dimsWhl'), cell: (o) => formatDimensionsCm([o.odoo.widthCm, o.odoo.heightCm, o.odoo.lengthCm], ui), class: 'nowrap' },
      { header: t('packageTypes.odooUnitsHeader'), cell: (o) => <small class="odoo-units">{t('packageTypes.odooUnits', { length: o.odoo.lengthUnit, weight: o.odoo.weightUnit })}</small>, class: 'nowrap' },
      { header: t('packageTypes.shipsAs'), cell: (o) => <MappingCell ui={ui} row={o} poleepo={view.poleepo} connection={connection} admin={admin} /> },
    ]} />
  );
}

/** Mappings by Odoo id and the name last seen: what is left to show (and remove) when Odoo cannot be read. */
function MappingsTable({ ui, caption, rows, poleepo, connection, admin, empty }: { ui: Ui; caption: string; rows: PackageTypeMappingRow[]; poleepo: PoleepoPackageTypeRow[]; connection: ConnectionName; admin: boolean; empty: string }) {
  const { t } = ui;
  const byId = new Map(poleepo.map((p) => [p.poleepo_id, p]));
  return (
    <DataTable<PackageTypeMappingRow> caption={caption} rows={rows} empty={empty} columns={[
      { header: t('packageTypes.orphanName'), cell: (m) => <>{m.odoo_name} <small class="muted">#{m.odoo_package_type_id}</small></> },
      { header: t('packageTypes.shipsAs'), cell: (m) => byId.get(m.poleepo_package_type_id)?.name ?? `#${m.poleepo_package_type_id}` },
      ...(admin ? [{
        header: t('packageTypes.unmap'),
        cell: (m: PackageTypeMappingRow) => <ActionButton ui={ui} action="/package-types/unmap" fields={{ connection: connection.id, odoo: m.odoo_package_type_id }} label={t('packageTypes.unmap')} ariaLabel={t('packageTypes.unmapOf', { name: m.odoo_name })} variant="secondary" />,
      }] : []),
    ]} />
  );
}

async function view(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx, modules } = c.get('services');
  const shipping = modules?.shipping ?? null;
  const admin = ui.user ? roleAllows(ui.user.role, 'admin') : false;
  const pick = await pickConnection(ctx.db, c.req.query('connection'));
  // One connection at a time; the first when several and none asked (the select switches).
  const connection = pick.chosen ?? pick.all[0] ?? null;
  const header = (
    <>
      <p class="lead">{t('packageTypes.intro')}</p>
      <p class="units"><strong>{t('packageTypes.unitsLabel')}</strong> {t('packageTypes.units')}</p>
      {!admin && <p class="muted">{t('packageTypes.adminOnly')}</p>}
      {pick.unknown !== null && <Notice kind="error">{t('connectionPick.unknown', { name: pick.unknown })}</Notice>}
    </>
  );
  if (!connection) return renderPage(c, t('packageTypes.title'), <>{header}<Notice kind="info">{t('connectionPick.none')}</Notice></>);
  const switcher = pick.all.length > 1 && (
    <FilterBar ui={ui} action="/package-types">
      <SelectField name="connection" label={t('packageTypes.connection')} value={String(connection.id)} options={pick.all.map((x) => ({ value: String(x.id), label: x.name }))} />
    </FilterBar>
  );
  const repo = new PackageTypesRepo(ctx.db);
  let overview: PackageTypesView | null = null;
  let failure: string | null = null;
  if (shipping) {
    try {
      overview = await shipping.packageTypes.overview(connection.id);
    } catch (error) {
      // Odoo unreachable: Poleepo's list and the mappings are the connector's own, so they still show.
      ctx.logger.warn({ err: errorMessage(error), connectionId: connection.id }, 'package types page: Odoo unreadable');
      failure = errorMessage(error);
    }
  }
  const poleepo = overview?.poleepo ?? await repo.poleepoTypes(connection.id);
  return renderPage(c, t('packageTypes.title'), (
    <>
      {header}
      {switcher}
      {!shipping && <Notice kind="info">{t('packageTypes.unavailable')}</Notice>}
      <section aria-labelledby="poleepo-title">
        <h2 id="poleepo-title">{t('packageTypes.poleepo.title')}</h2>
        {admin && shipping && <p><ActionButton ui={ui} action="/package-types/sync" fields={{ connection: connection.id }} label={t('packageTypes.sync')} /></p>}
        <PoleepoTable ui={ui} rows={poleepo} />
      </section>
      <section aria-labelledby="odoo-title">
        <h2 id="odoo-title">{t('packageTypes.odoo.title')}</h2>
        {failure !== null && <Notice kind="error">{t('packageTypes.odoo.unreachable', { reason: failure })}</Notice>}
        {overview
          ? <OdooTable ui={ui} view={overview} connection={connection} admin={admin} />
          : <MappingsTable ui={ui} caption={t('packageTypes.mappings.title')} rows={await repo.mappings(connection.id)} poleepo={poleepo} connection={connection} admin={admin} empty={t('packageTypes.mappings.empty')} />}
      </section>
      {overview && overview.orphans.length > 0 && (
        <section aria-labelledby="orphans-title">
          <h2 id="orphans-title">{t('packageTypes.orphans.title')}</h2>
          <p class="muted">{t('packageTypes.orphans.intro')}</p>
          <MappingsTable ui={ui} caption={t('packageTypes.orphans.title')} rows={overview.orphans} poleepo={poleepo} connection={connection} admin={admin} empty="—" />
        </section>
      )}
    </>
  ));
}

export const packageTypesPage = definePage({
  id: 'package-types',
  nav: { path: '/package-types', label: 'packageTypes.nav', order: 260, access: 'operator' },
  messages,
  routes(r, services) {
    /** The connection a POST names (by id), and the shipping service; null when either is missing. */
    const target = async (c: ConsoleContext) => {
      const form = await formOf(c);
      const pick = await pickConnection(services.ctx.db, form.connection);
      const shipping = services.modules?.shipping ?? null;
      return { form, connection: pick.chosen, shipping };
    };
    const failed = (c: ConsoleContext, connection: ConnectionName, error: unknown) => {
      if (!(error instanceof ValidationError)) services.ctx.logger.warn({ err: errorMessage(error), connectionId: connection.id }, 'package types action failed');
      return redirectTo(c, pagePath(connection), { kind: 'error', key: 'packageTypes.failed', params: { reason: errorMessage(error) } });
    };

    r.get('/package-types', 'operator', view);

    r.post('/package-types/sync', 'admin', async (c) => {
      const { connection, shipping } = await target(c);
      if (!connection || !shipping) return notFoundPage(c);
      try {
        const result = await shipping.packageTypes.sync(connection.id);
        return redirectTo(c, pagePath(connection), { kind: 'success', key: 'packageTypes.sync.done', params: result });
      } catch (error) {
        return failed(c, connection, error);
      }
    });

    r.post('/package-types/map', 'admin', async (c) => {
      const { form, connection, shipping } = await target(c);
      const odoo = (form.odoo ?? '').trim();
      if (!connection || !shipping || !/^\d{1,12}$/.test(odoo)) return notFoundPage(c);
      const poleepo = (form.poleepo ?? '').trim();
      try {
        // "— not mapped —" removes the mapping; ids only (names are the CLI's convenience).
        if (poleepo === '') {
          const removed = await shipping.packageTypes.unmap(connection.id, Number(odoo));
          return redirectTo(c, pagePath(connection), { kind: removed ? 'success' : 'info', key: removed ? 'packageTypes.unmap.done' : 'packageTypes.unmap.none', params: { odoo } });
        }
        if (!/^\d{1,12}$/.test(poleepo)) return notFoundPage(c);
        const result = await shipping.packageTypes.map(connection.id, odoo, poleepo);
        return redirectTo(c, pagePath(connection), { kind: 'success', key: 'packageTypes.map.done', params: { odoo: result.odoo.name, poleepo: result.poleepo.name } });
      } catch (error) {
        return failed(c, connection, error);
      }
    });

    r.post('/package-types/unmap', 'admin', async (c) => {
      const { form, connection, shipping } = await target(c);
      const odoo = (form.odoo ?? '').trim();
      if (!connection || !shipping || !/^\d{1,12}$/.test(odoo)) return notFoundPage(c);
      const removed = await shipping.packageTypes.unmap(connection.id, Number(odoo));
      return redirectTo(c, pagePath(connection), { kind: removed ? 'success' : 'info', key: removed ? 'packageTypes.unmap.done' : 'packageTypes.unmap.none', params: { odoo } });
    });
  },
});
