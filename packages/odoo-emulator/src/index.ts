export { startOdooEmulator, plain, type OdooEmulator, type OdooEmulatorOptions } from './emulator.ts';
export { versionProfile, type OdooVersion, type VersionProfile } from './versions/version.profile.ts';
export type { CatalogSpec, CatalogResult } from './seed/catalog.generator.ts';
export { formatDatetime } from './orm/env.ts';
export { emulatorOptions, emulatorBanner, stopOnSignal, EmulatorUsageError, DEFAULT_EMULATOR_PORT } from './cli.ts';
export type { EmulatorCliOptions } from './cli.ts';
export { packAndValidateDelivery, type CallOdoo, type DeliveryPackageSpec, type PackAndValidateOptions, type PackAndValidateResult } from './flows/delivery.flow.ts';
export { invoiceSaleOrder, type InvoiceSaleOrderOptions, type InvoiceSaleOrderResult } from './flows/invoice.flow.ts';
export { NO_WKHTMLTOPDF } from './models/ir.actions.report.model.ts';
