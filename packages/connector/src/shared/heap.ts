import { setFlagsFromString } from 'node:v8';

/** V8's old generation grows by at most this much (percent of what survived the last full collection) before the next. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Keeps the heap close to what is alive, without ever forcing a collection. Left to itself V8 lets the old generation
 * grow to up to four times what survived the last full collection before collecting again: a full product export
 * streams some hundred megabytes of pages through it, short-lived but outliving a few young-generation collections,
 * and the process peaked at 330 MB of which two thirds were garbage. With a growing factor of 1.5 the collections
 * come earlier (concurrent marking, short pauses) and the peak stays near 200–250 MB. The process also serves webhooks:
 * this is a setting of the process, chosen once at start (the bin, the benchmarks), not a collection forced by the
 * export. An operator's own `--heap-growing-percent` (NODE_OPTIONS or the command line) wins.
 */
export function limitHeapGrowth(percent = HEAP_GROWING_PERCENT): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent\b/.test(a));
  if (given) return false;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return true;
}
