import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { ApiLogRecorder } from '../apilog/apilog.recorder.ts';

/**
 * How long an import spent in the connector itself (DESIGN §6 order latency): the total, minus the time spent inside
 * Odoo and Poleepo calls. Every outbound call is reported to the API log synchronously, in the caller's async
 * context, with its duration, so an AsyncLocalStorage around an import sums exactly that import's calls — also when
 * several imports run at once.
 */
interface Meter {
  externalMs: number;
  calls: number;
}

const storage = new AsyncLocalStorage<Meter>();
const attached = new WeakSet<ApiLogRecorder>();

/** Counts outbound call time into the running import's meter (once per recorder). */
export function attachImportMeter(apiLog: ApiLogRecorder): void {
  if (attached.has(apiLog)) return;
  attached.add(apiLog);
  apiLog.onCall((call) => {
    if (call.direction !== 'outbound') return;
    const meter = storage.getStore();
    if (!meter) return;
    meter.externalMs += call.durationMs;
    meter.calls++;
  });
}

export interface Measured<T> {
  value: T;
  totalMs: number;
  externalMs: number;
  /** totalMs − externalMs. */
  connectorMs: number;
  calls: number;
}

export async function measureImport<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const meter: Meter = { externalMs: 0, calls: 0 };
  const started = performance.now();
  const value = await storage.run(meter, fn);
  const totalMs = performance.now() - started;
  return { value, totalMs, externalMs: meter.externalMs, connectorMs: Math.max(0, totalMs - meter.externalMs), calls: meter.calls };
}
