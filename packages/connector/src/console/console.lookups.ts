import type { Db } from '../storage/db.ts';
import { ConnectionsRepo } from '../connections/connections.repo.ts';

export interface ConnectionName {
  id: number;
  name: string;
}

/** Connection names for filters and labels (only id and name leave here: never a credential). */
export async function connectionNames(db: Db): Promise<ConnectionName[]> {
  return (await new ConnectionsRepo(db).list()).map((r) => ({ id: Number(r.id), name: r.name }));
}
