#!/usr/bin/env node
// Part of `npm run lint`: a connector module reads and writes only its own tables; another module's data comes through
// that module's repository or service (the layer rule dependency-cruiser cannot see, since every table is reachable
// through the one Kysely instance). A table's owner is the module whose `<module>.tables.ts` declares it (the
// foundation's tables in storage/schema.ts have their owners below). The composition root (src/app), storage itself
// (migrations, backup) and `kv` (a shared key-value table, keys namespaced by their module) are exempt.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = 'packages/connector/src';
const FOUNDATION = {
  connections: 'connections', tasks: 'tasks', job_schedules: 'jobs', job_runs: 'jobs', rate_limit_ledger: 'ratelimit',
  api_log: 'apilog', users: 'auth', sessions: 'auth', login_attempts: 'auth',
};
const SHARED_TABLES = new Set(['kv']);
// Every per-connection row points at its connection (connection_id): a join to show the connection's name is allowed.
const JOINABLE_TABLES = new Set(['connections']);
const EXEMPT_MODULES = new Set(['app', 'storage']);
/**
 * Known crossings still to move behind the owner's repository (file → tables). Each is a read; none writes. Remove an
 * entry when its module stops reading the table: the check then keeps it out.
 */
const NOT_YET_MOVED = {
  'orders/orders.repo.ts': ['product_bindings'], // SKUs the product export bound: products' BindingsRepo should answer
  'invoices/invoices.repo.ts': ['shipments', 'order_bindings'], // waybills (shipping's ShipmentsRepo) and the document scan's orders (OrdersRepo) should answer
  'jobs/jobs.repo.ts': ['tasks'], // a run's task status, joined for the jobs page
};

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

const owners = new Map(Object.entries(FOUNDATION));
const sources = [...files(SRC)].map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
for (const { path, text } of sources) {
  if (!path.endsWith('.tables.ts')) continue;
  const block = /interface Database \{([^}]*)\}/.exec(text);
  for (const [, table] of block?.[1].matchAll(/^\s*(\w+)\s*:/gm) ?? []) owners.set(table, path.split('/')[0]);
}

const problems = [];
const QUERY = /\b(selectFrom|updateTable|insertInto|deleteFrom|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin)\(\s*'(\w+)/g;
for (const { path, text } of sources) {
  const module = path.split('/')[0];
  if (EXEMPT_MODULES.has(module) || !path.includes('/')) continue;
  for (const match of text.matchAll(QUERY)) {
    const table = match[2];
    const owner = owners.get(table);
    if (!owner || owner === module || SHARED_TABLES.has(table)) continue;
    if (match[1].endsWith('Join') && JOINABLE_TABLES.has(table)) continue;
    if (NOT_YET_MOVED[path]?.includes(table)) continue;
    const line = text.slice(0, match.index).split('\n').length;
    problems.push(`${SRC}/${path}:${line}: module "${module}" uses table "${table}" of module "${owner}" (${match[1]}): ask ${owner}'s repository or service instead`);
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`every connector module uses only its own tables (${owners.size} tables, ${Object.keys(NOT_YET_MOVED).length} known crossings listed to move)`);
