import type { ClientMetrics } from '../client/create-client.js';
import type { AuditRecord, AuditSummary } from './audit-record.js';

/**
 * Counts an audit's records as they pass, for its closing summary. Request counters are the
 * client's, taken as a difference between the start and the end of the audit.
 *
 * @example
 * ```ts
 * const tally = new Tally(client.metrics(), Date.now());
 * records.forEach((r) => tally.count(r));
 * tally.summary(client.metrics(), Date.now());
 * ```
 */
export class Tally {
  #ok = 0;
  #failed = 0;
  #skipped = 0;
  #permissions = 0;
  #violations = 0;
  #archived = 0;
  #revoked = 0;
  #overBudget = 0;

  constructor(
    private readonly startMetrics: ClientMetrics,
    private readonly startedAt: number,
  ) {}

  skipped(): void {
    this.#skipped++;
  }

  /** Violations an interrupted run found, carried over by a resumed one. */
  carried(violations: number): void {
    this.#violations += violations;
  }

  count(record: AuditRecord): void {
    switch (record.type) {
      case 'permission':
        this.#permissions++;
        if (record.allowed === false) this.#violations++;
        if (record.archived) this.#archived++;
        break;
      case 'checkpoint':
        this.#ok++;
        break;
      case 'error':
        this.#failed++;
        break;
      case 'revocation':
        if (record.deleted) this.#revoked++;
        if (record.reason === 'budget-exhausted') this.#overBudget++;
        break;
    }
  }

  summary(metrics: ClientMetrics, now: number): AuditSummary {
    return {
      type: 'summary',
      checkpoints: { ok: this.#ok, failed: this.#failed, skipped: this.#skipped },
      permissions: this.#permissions,
      violations: this.#violations,
      archived: this.#archived,
      revoked: this.#revoked,
      overBudget: this.#overBudget,
      requests: metrics.requests - this.startMetrics.requests,
      retries: metrics.retries - this.startMetrics.retries,
      rateLimited: metrics.rateLimited - this.startMetrics.rateLimited,
      elapsedMs: now - this.startedAt,
    };
  }
}
