import type { Generated } from 'kysely';

/** Every console login attempt (login lower-cased), kept a day for throttling. */
export interface LoginAttemptsTable {
  id: Generated<number>;
  login: string;
  ip: string;
  succeeded: number;
  at: number;
}

declare module '../storage/schema.ts' {
  interface Database {
    login_attempts: LoginAttemptsTable;
  }
}
