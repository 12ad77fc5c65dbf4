/**
 * The emulator's own control API (never part of Odoo): `/__emulator/stats`, `/__emulator/faults`,
 * `/__emulator/service-time`, `/__emulator/latency`, `/__emulator/catalog`, `/__emulator/inspect`,
 * `/__emulator/server` (what the emulated server has installed: `wkhtmltopdf`).
 */
import type { EmulatorContext } from './context.ts';
import { jsonReply, type Reply } from './replies.ts';
import type { FaultSpec } from '../runtime/faults.ts';
import type { ServiceTimeOptions } from '../runtime/service-time.ts';
import { generateCatalog, type CatalogSpec } from '../seed/catalog.generator.ts';

export function handleControl(ctx: EmulatorContext, method: string, path: string, body: string): Reply {
  const input = parse(body);
  const route = path.replace(/^\/__emulator\/?/, '');
  switch (`${method} ${route}`) {
    case 'GET stats':
      return jsonReply(200, statsOf(ctx));
    case 'GET faults':
      return jsonReply(200, { faults: ctx.runner.faults.active() });
    case 'POST faults': {
      const list = (Array.isArray(input.faults) ? input.faults : [input]) as FaultSpec[];
      const ids = list.map((f) => ctx.runner.faults.add(f));
      return jsonReply(200, { ids, faults: ctx.runner.faults.active() });
    }
    case 'DELETE faults':
      ctx.runner.faults.clear();
      return jsonReply(200, { faults: [] });
    case 'POST service-time':
      ctx.runner.setServiceTime((input.preset as 'calibrated' | 'none' | undefined) ?? (input as unknown as ServiceTimeOptions));
      return jsonReply(200, { serviceTime: ctx.runner.serviceTime });
    case 'POST latency':
      ctx.runner.extraLatencyMs = Number(input.ms) || 0;
      return jsonReply(200, { latencyMs: ctx.runner.extraLatencyMs });
    case 'POST catalog':
      return jsonReply(200, generateCatalog(ctx.registry, input as unknown as CatalogSpec));
    case 'GET inspect':
      return jsonReply(200, inspectOf(ctx));
    case 'GET server':
      return jsonReply(200, { ...ctx.registry.server });
    case 'POST server':
      if ('wkhtmltopdf' in input) ctx.registry.server.wkhtmltopdf = Boolean(input.wkhtmltopdf);
      return jsonReply(200, { ...ctx.registry.server });
    default:
      return jsonReply(404, { error: `unknown control route ${method} /__emulator/${route}` });
  }
}

export function statsOf(ctx: EmulatorContext) {
  const s = ctx.runner.stats;
  return {
    version: ctx.registry.version,
    calls: s.calls,
    objectCalls: s.objectCalls,
    recordsRead: s.recordsRead,
    readsByModel: s.readsByModel,
    serviceTimeMs: Math.round(s.serviceTimeMs * 1000) / 1000,
    computeTimeMs: Math.round(s.computeTimeMs * 1000) / 1000,
    errors: s.errors,
    faultsApplied: s.faultsApplied,
  };
}

export function inspectOf(ctx: EmulatorContext) {
  const counts: Record<string, number> = {};
  for (const name of ctx.registry.modelNames()) counts[name] = ctx.registry.model(name).table.rows.size;
  return { version: ctx.registry.version, db: ctx.registry.db, records: counts };
}

function parse(body: string): Record<string, unknown> {
  if (!body) return {};
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
