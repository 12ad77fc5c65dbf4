import type { AppContext } from '../app/context.ts';
import { ConnectionsService } from '../connections/connections.service.ts';

/** `--connection NAME`, optional when there is exactly one connection (DESIGN §3.1). */
export async function resolveConnectionOption(ctx: AppContext, name: string | undefined): Promise<{ id: number; name: string }> {
  const connection = await new ConnectionsService(ctx).resolve(name);
  return { id: connection.id, name: connection.name };
}
