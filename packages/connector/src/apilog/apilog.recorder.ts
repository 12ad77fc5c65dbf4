import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { redactBody, redactUrl, redactText } from '../shared/redact.ts';
import type { ApiLogEntry, ApiLogRepo } from './apilog.repo.ts';

export interface ApiCall {
  connectionId?: number | null;
  system: ApiLogEntry['system'];
  direction: ApiLogEntry['direction'];
  method: string;
  /** Path or URL; secret-looking query parameters are redacted. */
  path: string;
  status: number | null;
  durationMs: number;
  error?: string | null;
  requestBody?: string | null;
  responseBody?: string | null;
  /** Values known to be secret for this call (API key, token), removed wherever they appear. */
  secrets?: readonly string[];
  /** A probe: its answer, whatever the status, is information (not counted as an error). */
  probe?: boolean;
}

export interface ApiLogRecorderOptions {
  maxBodyLength?: number;
  /** Entries are written in small batches so logging never doubles the cost of a hot path. */
  flushEvery?: number;
  flushIntervalMs?: number;
}

/**
 * Records every call made or received, with bodies truncated and secrets and personal data redacted before
 * anything reaches storage. Buffered: the API log is a diagnostic record, not acknowledged data.
 */
export class ApiLogRecorder {
  private buffer: ApiLogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly maxBodyLength: number;
  private readonly flushEvery: number;
  private readonly flushIntervalMs: number;
  /** Observers (metrics) see every call. */
  private readonly listeners: ((call: ApiCall) => void)[] = [];

  constructor(private readonly repo: ApiLogRepo, private readonly clock: Clock, private readonly logger: Logger, options: ApiLogRecorderOptions = {}) {
    this.maxBodyLength = options.maxBodyLength ?? 4000;
    this.flushEvery = options.flushEvery ?? 200;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
  }

  onCall(listener: (call: ApiCall) => void): void {
    this.listeners.push(listener);
  }

  record(call: ApiCall): void {
    for (const l of this.listeners) l(call);
    const secrets = call.secrets ?? [];
    const entry: ApiLogEntry = {
      connection_id: call.connectionId ?? null,
      system: call.system,
      direction: call.direction,
      method: call.method,
      path: redactText(redactUrl(call.path), secrets),
      status: call.status,
      duration_ms: Math.round(call.durationMs),
      error: call.error ? redactText(call.error, secrets).slice(0, 2000) : null,
      request_body: redactBody(call.requestBody, this.maxBodyLength, secrets),
      response_body: redactBody(call.responseBody, this.maxBodyLength, secrets),
      probe: call.probe ? 1 : 0,
      created_at: this.clock.now(),
    };
    this.buffer.push(entry);
    // The same redacted line for whoever follows the logs at debug level (bodies stay in the API log only).
    this.logger.debug({ connectionId: entry.connection_id, system: entry.system, direction: entry.direction, method: entry.method, path: entry.path, status: entry.status, ms: entry.duration_ms, err: entry.error ?? undefined }, 'api call');
    if (this.buffer.length >= this.flushEvery) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is buffered; awaited by tests and at shutdown. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.repo.insertMany(batch);
      } catch (error) {
        this.logger.error({ err: error, entries: batch.length }, 'api log write failed');
      }
    });
    return this.flushing;
  }
}
