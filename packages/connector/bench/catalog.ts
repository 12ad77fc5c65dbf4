/**
 * The catalog measured on a real Odoo 18.0 (issue 18; docs/odoo-api.md §D): 20,001 templates, 51,001 variants,
 * 25,500 of them stocked in the company's warehouse. The benches generate the same shape on the emulator.
 */
export const MEASURED_CATALOG = { templates: 20_001, variants: 51_001, stocked: 25_500 } as const;

/** The generator's share of variants left without stock that gives about 25,500 stocked ones with its seed. */
export const OUT_OF_STOCK_SHARE = 0.4905;
