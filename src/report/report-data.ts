import { createHash } from 'node:crypto';
import type { AllowList } from '../audit/allow-list.js';
import type { AuditRecord, AuditSummary } from '../audit/audit-record.js';
import { VERSION } from '../client/version.js';

/**
 * What the HTML report embeds: the audit as compact arrays (checkpoint and project names
 * stored once, grants referring to them by index), so that 100,000 permissions stay a few MB.
 *
 * @example
 * ```ts
 * const report = new ReportCollector({ allow: { projects: ['proj_platform'] } });
 * records.forEach((record) => report.add(record));
 * const data = report.data();
 * data.grants.length; // one row per permission: [checkpoint, project, id, created_at, verdict, finding id]
 * ```
 */
export interface ReportData {
  readonly meta: ReportMeta;
  readonly checkpoints: readonly string[];
  /** `[id, name, status]`: name and status when the records carry `project_name`/`project_status`. */
  readonly projects: ReadonlyArray<readonly [string, string | null, string | null]>;
  /** `[checkpoint index, project index, permission id, created_at, verdict, finding id]`. */
  readonly grants: ReadonlyArray<readonly [number, number, string, number, Verdict, string | null]>;
  /** `[checkpoint index, message, status, request id]`. */
  readonly failed: ReadonlyArray<readonly [number, string, number | null, string | null]>;
  /** `[checkpoint index, permission id, project id, outcome]`. */
  readonly revocations: ReadonlyArray<readonly [number, string, string, string]>;
}

/** 1 allowed, 0 a violation, -1 not judged (no allow-list). */
export type Verdict = 1 | 0 | -1;

/** When, by what, of which organization, how complete: every field only when known. */
export interface ReportMeta {
  readonly generatedAt: string;
  readonly version: string;
  readonly organization?: string;
  readonly allowListDigest?: string;
  /** The fields of a `coverage` record (discovery coverage), when the audit emitted one. */
  readonly coverage?: Readonly<Record<string, unknown>>;
  readonly summary?: Omit<AuditSummary, 'type'>;
}

/** What the report knows besides the records. */
export interface ReportContext {
  readonly allow?: AllowList;
  readonly organization?: string;
  /** @default the time `reportData` (or the collector) was called */
  readonly generatedAt?: Date;
}

/**
 * Gathers an audit's records, as they stream past, into {@link ReportData}. Records of kinds it
 * does not know are skipped, except a `coverage` record, whose fields become metadata.
 *
 * @example
 * ```ts
 * const report = new ReportCollector({ allow });
 * auditPermissions$(checkpoints, { client, allow }).subscribe((r) => report.add(r));
 * // at the end: renderHtmlReport(report.data())
 * ```
 */
export class ReportCollector {
  readonly #context: ReportContext;
  readonly #generatedAt: Date;
  readonly #checkpoints = new Map<string, number>();
  /** Project id -> its index (insertion order) and its `[id, name, status]` row. */
  readonly #projects = new Map<
    string,
    { readonly index: number; readonly row: [string, string | null, string | null] }
  >();
  readonly #grants: Array<[number, number, string, number, Verdict, string | null]> = [];
  readonly #failed: Array<[number, string, number | null, string | null]> = [];
  readonly #revocations: Array<[number, string, string, string]> = [];
  #coverage: Record<string, unknown> | undefined;
  #summary: Omit<AuditSummary, 'type'> | undefined;

  constructor(context: ReportContext = {}) {
    this.#context = context;
    this.#generatedAt = context.generatedAt ?? new Date();
  }

  add(record: AuditRecord): void {
    switch (record.type) {
      case 'permission': {
        const extra = record as unknown as { project_name?: unknown; project_status?: unknown };
        this.#grants.push([
          this.#checkpoint(record.checkpoint),
          this.#project(record.project_id, extra.project_name, extra.project_status),
          record.id,
          record.created_at,
          record.allowed === undefined ? -1 : record.allowed ? 1 : 0,
          record.finding_id ?? null,
        ]);
        return;
      }
      case 'error':
        this.#failed.push([
          this.#checkpoint(record.checkpoint),
          record.error.message,
          record.error.status,
          record.error.request_id,
        ]);
        return;
      case 'revocation':
        this.#revocations.push([
          this.#checkpoint(record.checkpoint),
          record.id,
          record.project_id,
          record.dryRun ? 'would revoke' : record.deleted ? 'revoked' : 'failed',
        ]);
        return;
      case 'checkpoint':
        this.#checkpoint(record.checkpoint);
        return;
      case 'summary': {
        const { type: _, ...summary } = record;
        this.#summary = summary;
        return;
      }
      default: {
        const other = record as { type?: unknown };
        if (other.type === 'coverage') {
          const { type: _, ...fields } = other as Record<string, unknown>;
          this.#coverage = fields;
        }
      }
    }
  }

  data(): ReportData {
    const { allow, organization } = this.#context;
    return {
      meta: {
        generatedAt: this.#generatedAt.toISOString(),
        version: VERSION,
        ...(organization ? { organization } : {}),
        ...(allow ? { allowListDigest: allowListDigest(allow) } : {}),
        ...(this.#coverage ? { coverage: this.#coverage } : {}),
        ...(this.#summary ? { summary: this.#summary } : {}),
      },
      checkpoints: [...this.#checkpoints.keys()],
      projects: [...this.#projects.values()].map((project) => project.row),
      grants: this.#grants,
      failed: this.#failed,
      revocations: this.#revocations,
    };
  }

  #checkpoint(name: string): number {
    let index = this.#checkpoints.get(name);
    if (index === undefined) this.#checkpoints.set(name, (index = this.#checkpoints.size));
    return index;
  }

  #project(id: string, name: unknown, status: unknown): number {
    let project = this.#projects.get(id);
    if (project === undefined) {
      project = { index: this.#projects.size, row: [id, null, null] };
      this.#projects.set(id, project);
    }
    if (typeof name === 'string') project.row[1] = name;
    if (typeof status === 'string') project.row[2] = status;
    return project.index;
  }
}

/**
 * The digest of an allow-list's meaning, not of its file: `sha256:` + the SHA-256 hex of the
 * JSON `{"projects":[…],"checkpoints":{…}}` with every list sorted and deduplicated and the
 * checkpoints' keys sorted, so that reordering or reformatting the file keeps the digest.
 *
 * @example
 * ```ts
 * allowListDigest({ projects: ['b', 'a'] }) === allowListDigest({ projects: ['a', 'b', 'a'] }); // true
 * ```
 */
export function allowListDigest(allow: AllowList): string {
  const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();
  const checkpoints = Object.fromEntries(
    Object.entries(allow.checkpoints ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, projects]) => [name, sorted(projects)]),
  );
  const canonical = JSON.stringify({ projects: sorted(allow.projects ?? []), checkpoints });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
