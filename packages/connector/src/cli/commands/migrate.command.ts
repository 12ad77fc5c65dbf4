import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { openDatabase } from '../../storage/db.ts';
import { migrateToLatest } from '../../storage/migrator.ts';

export function register(program: Command, runtime: CliRuntime): void {
  program.command('migrate')
    .description('create or upgrade the database schema (safe to run from several processes at once)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = runtime.config();
      const db = await openDatabase(config.databaseUrl);
      try {
        const { applied } = await migrateToLatest(db);
        if (opts.json) runtime.json({ database: db.location, applied });
        else runtime.out(applied.length ? `Applied ${applied.length} migration(s) to ${db.location}: ${applied.join(', ')}` : `Schema of ${db.location} is up to date.`);
      } finally {
        await db.close();
      }
    });
}
