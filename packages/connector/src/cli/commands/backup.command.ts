import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { backupSqlite } from '../../storage/backup.ts';

/** `backup FILE` (additive to DESIGN §3.1): an online copy of the SQLite database. */
export function register(program: Command, runtime: CliRuntime): void {
  program.command('backup <file>')
    .description('write a consistent copy of the SQLite database while the connector runs (back up data/secret.key too)')
    .action(async (file: string) => {
      const config = runtime.config();
      if (config.dialect !== 'sqlite') throw new ValidationError('backup copies the embedded SQLite database; on PostgreSQL use pg_dump');
      const source = config.databaseUrl.slice('sqlite:'.length);
      const { pages } = await backupSqlite(source, file);
      runtime.out(`Backed up ${source} to ${file} (${pages} pages). Keep the encryption key (${config.dataDir}/secret.key or ENCRYPTION_KEY) with it.`);
    });
}
