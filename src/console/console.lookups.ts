import type { Db } from '../storage/db.ts';

export interface ConnectionName {
  id: number;
  name: string;
}

/**
 * Connection names for filters and labels. A read-only lookup kept here until the connections module offers one;
 * then this should call it.
 */
export async function connectionNames(db: Db): Promise<ConnectionName[]> {
  const rows = await db.kysely.selectFrom('connections').select(['id', 'name']).orderBy('name').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}
