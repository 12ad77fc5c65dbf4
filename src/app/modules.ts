import type { Hono } from 'hono';
import type { AppContext } from './context.ts';
import type { RouteRegistrar } from '../server/http.app.ts';

/**
 * Where the capability modules are assembled for a running process: their public routes, the console, and the
 * background parts (workers, scheduler). Each module adds itself here, in one place.
 */
export interface ServiceModules {
  routes: RouteRegistrar[];
  console: Hono | null;
  startBackground(): Promise<void>;
  /** Stops claiming, waits up to drainMs for running work, releases leases. */
  stopBackground(drainMs: number): Promise<void>;
}

export async function buildModules(_ctx: AppContext): Promise<ServiceModules> {
  return {
    routes: [],
    console: null,
    startBackground: async () => undefined,
    stopBackground: async () => undefined,
  };
}
