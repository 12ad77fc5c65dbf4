/**
 * What the HTTP handlers share: the registry (data and models), the call runner (faults, service time,
 * statistics) and the web sessions `/web/session/authenticate` opened.
 */
import { randomBytes } from 'node:crypto';
import type { Registry } from '../orm/registry.ts';
import type { CallRunner } from '../runtime/call-runner.ts';

export class EmulatorContext {
  private sessions = new Map<string, number>();

  constructor(
    readonly registry: Registry,
    readonly runner: CallRunner,
  ) {}

  openSession(uid: number): string {
    const sid = randomBytes(20).toString('hex');
    this.sessions.set(sid, uid);
    return sid;
  }

  sessionUid(cookie: string | undefined): number | null {
    const m = /(?:^|;\s*)session_id=([^;]+)/.exec(cookie ?? '');
    return m ? this.sessions.get(m[1]) ?? null : null;
  }
}
