import { concat, filter, from, lastValueFrom, map, tap, type Observable } from 'rxjs';
import type { AllowList } from '../../audit/allow-list.js';
import { auditPermissions$ } from '../../audit/audit-permissions.js';
import type { AuditRecord, AuditSummary, PermissionRecord } from '../../audit/audit-record.js';
import { ProgressJournal, type JournalRun } from '../../audit/progress-journal.js';
import type { Client } from '../../client/create-client.js';
import { ConfigError } from '../../errors.js';
import { discoverCheckpoints$ } from '../../audit/discover-checkpoints.js';
import type { DiscoveryCoverage, DiscoveryEvent } from '../../audit/discovery-event.js';
import { renderHtmlReport } from '../../report/html-report.js';
import { ReportCollector } from '../../report/report-data.js';
import type { Project } from '../../resources/project.js';
import { CliError, fileErrorReason } from '../cli-error.js';
import { clientFromFlags, hasProjectKeys } from '../client-from-flags.js';
import { discoveryIncomplete, formatCoverage } from '../coverage.js';
import { ExitCode } from '../exit-codes.js';
import { checkCheckpointArguments, readAllowList, readCheckpointList } from '../inputs.js';
import type { CliIO } from '../io.js';
import { fileSink, OutputClosedError, streamSink, type OutputSink } from '../output/sink.js';
import { renderTable } from '../output/table.js';
import { progressBar, type ProgressView } from '../progress.js';
import { RecordWriter } from '../record-writer.js';
import { listProjects } from '../projects.js';
import { runDifferences, runRecord } from '../run-record.js';
import { checkResumeFlags, checkRevokeFlags } from '../flag-requirements.js';
import { checkRunFiles } from '../state-guards.js';
import { formatSummary } from '../summary.js';
import { terminalSafe } from '../terminal-text.js';
import { checkpointIdProblem } from '../../audit/checkpoint-ids.js';
import type { AuditFlags } from '../definitions/audit.js';

/**
 * `checkpoint-permissions audit`: reads the checkpoints to audit (arguments, `--input`,
 * `--all`), audits them through one client, streams the report to stdout or `--output`, and
 * says how it went in its exit code.
 */
export async function auditCommand(
  ids: readonly string[],
  flags: AuditFlags,
  io: CliIO,
): Promise<ExitCode> {
  checkResumeFlags(flags);
  checkRevokeFlags(flags);
  checkRunFiles(flags);
  const listed = [
    ...checkCheckpointArguments(ids),
    ...(flags.input ? await readCheckpointList(flags.input, io.stdin) : []),
  ];
  if (listed.length === 0 && !flags.all) {
    throw new CliError(
      ExitCode.Usage,
      'No checkpoints to audit: give their ids, --input FILE (or - for stdin), or --all.',
    );
  }
  const allow = flags.allow
    ? await readAllowList(flags.allow, { allowEmpty: flags.allowEmpty ?? false })
    : undefined;
  const warn = (line: string): void => void io.stderr.write(line);
  const client = clientFromFlags(flags, io.env, warn);
  if (flags.all && !hasProjectKeys(flags, io.env)) {
    warn(
      'checkpoint-permissions: warning: no project keys (--project-keys FILE, OPENAI_API_KEY): --all reads the audit log alone, so checkpoints whose grants all predate audit logging cannot be found.\n',
    );
  }
  let journal: ProgressJournal | undefined;
  let sink: OutputSink | undefined;
  try {
    journal = flags.state
      ? openJournal(flags.state, flags.resume ?? false, runOf(flags, listed, allow))
      : undefined;
    sink = flags.output
      ? openOutput(flags.output, flags.resume ? journal?.state.offset : undefined)
      : streamSink(io.stdout);
    const progress = progressBar(io.stderr, client, !flags.quiet);
    // The bar counts what this run will audit: not duplicates, not what a resumed run skips.
    const counted = new Set<string>(flags.resume ? journal?.state.done : []);
    const count = (checkpoint: string): void => {
      if (counted.has(checkpoint)) return;
      counted.add(checkpoint);
      progress.addTotal(1);
    };
    listed.forEach(count);
    const projects = await listProjects(client, warn);
    let coverage: DiscoveryCoverage | undefined;
    let unusable = 0;
    const discovered = flags.all
      ? checkpointsOf(discoverCheckpoints$({ client }), (c) => (coverage = c)).pipe(
          filter((checkpoint) => {
            // A name the server gave is audited whatever characters it holds (and shown escaped):
            // a checkpoint must not hide by its name. An empty or blank one cannot be audited,
            // and must not end the audit either.
            const problem = checkpointIdProblem(checkpoint, { allowControl: true });
            if (problem === undefined) return true;
            unusable++;
            warn(
              `checkpoint-permissions: warning: skipped a discovered checkpoint whose name ${problem}: ${terminalSafe(checkpoint)}\n`,
            );
            return false;
          }),
          tap(count),
        )
      : undefined;
    const result = await runAudit({
      client,
      checkpoints: discovered ? concat(from(listed), discovered) : from(listed),
      flags,
      allow,
      sink,
      journal,
      progress,
      projects,
      coverage: () => coverage,
      organization: io.env.OPENAI_ORG_ID?.trim() || undefined,
    });
    const incomplete = unusable > 0 || (coverage !== undefined && discoveryIncomplete(coverage));
    if (flags.format === 'table') await sink.write(result.table);
    if (flags.format === 'html') await sink.write(result.html);
    // Closing flushes the report: a write that failed late fails the run before it reports.
    const closing = sink;
    sink = undefined;
    await closing.close();
    if (!flags.quiet) io.stderr.write(formatSummary(result.summary));
    if (!flags.quiet && coverage) io.stderr.write(formatCoverage(coverage));
    if (!flags.quiet && result.summary.overBudget > 0)
      io.stderr.write(overBudgetNote(result.summary, flags.maxRevocations ?? 100));
    // Discovery that missed part of the organization leaves the audit incomplete: never "clean".
    return incomplete ? ExitCode.CheckpointFailed : result.exitCode;
  } catch (error) {
    if (error instanceof OutputClosedError) return ExitCode.Clean;
    if (error instanceof ConfigError && error.option === 'state') throw stateWriteFailed(error);
    throw error;
  } finally {
    journal?.close();
    // Only on the way out of an error: that error is the one to report.
    await sink?.close().catch(() => undefined);
    await client.close();
  }
}

/**
 * The checkpoints of a discovery, in the order found; its closing coverage goes to `onCoverage`.
 *
 * @example
 * ```ts
 * checkpointsOf(discoverCheckpoints$({ client }), (c) => (coverage = c)); // Observable<string>
 * ```
 */
export function checkpointsOf(
  events: Observable<DiscoveryEvent>,
  onCoverage: (coverage: DiscoveryCoverage) => void,
): Observable<string> {
  return events.pipe(
    tap((event) => {
      if (event.type === 'coverage') onCoverage(event);
    }),
    filter((event) => event.type === 'checkpoint'),
    map((event) => event.checkpoint),
  );
}

/** What defines this run, for the journal to record and a resume to check. */
function runOf(
  flags: AuditFlags,
  ids: readonly string[],
  allow: AllowList | undefined,
): JournalRun {
  return runRecord({
    format: flags.format,
    ids,
    all: flags.all ?? false,
    allow,
    revoke: flags.revoke ? (flags.apply ? 'apply' : 'dry-run') : 'off',
    output: flags.output,
  });
}

/** File system errors that say the disk, not the path, is at fault: I/O errors (74). */
const IO_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EFBIG']);

/** What to do about the violations a spent `--max-revocations` budget left in place. */
function overBudgetNote(summary: AuditSummary, budget: number): string {
  const left = summary.overBudget;
  return `${left.toLocaleString('en-US')} violation${left === 1 ? '' : 's'} not revoked: the --max-revocations budget of ${budget.toLocaleString('en-US')} ran out (exit 3). Check the report, then audit again (not --resume: it would not retry them) with a larger --max-revocations.\n`;
}

/**
 * The journal of `--state`. A state file that cannot be parsed is bad data (65); one that cannot
 * be read or written (its `cause` is the file system's error) is a path to fix (64), or a disk
 * (74); a file that is not a journal is never overwritten (64). A resume must be the same run
 * as the saved one, and a journal that does not say which run it saved cannot be resumed (64).
 * Each is said in one line that names the flag.
 */
function openJournal(path: string, resume: boolean, run: JournalRun): ProgressJournal {
  let journal: ProgressJournal;
  try {
    journal = ProgressJournal.open(path, { resume, run });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    // A library message has no final period (see errors.ts).
    const said = `${error.message}.`;
    if (typeof code === 'string') {
      const disk = IO_FAILURES.has(code);
      throw new CliError(
        disk ? ExitCode.IOError : ExitCode.Usage,
        `${said} Check the ${disk ? 'disk that holds' : 'path given to'} --state.`,
        { cause: error },
      );
    }
    throw new CliError(
      resume ? ExitCode.DataError : ExitCode.Usage,
      resume
        ? `${said} Delete it to start afresh, or give another --state file.`
        : `${said} Give --state a new file, or delete this one.`,
      { cause: error },
    );
  }
  const differences = resume && journal.run ? runDifferences(run, journal.run) : [];
  if (resume && (!journal.run || differences.length > 0)) {
    journal.close();
    throw new CliError(
      ExitCode.Usage,
      journal.run
        ? `Cannot resume ${path}: ${differences.join('; ')}. Resume with the saved run's flags, or start afresh without --resume (this replaces ${path} and the report).`
        : `Cannot resume ${path}: it holds no record of the run that wrote it (it was written by version 0.1.0), so this run cannot be checked to be the same. Start afresh without --resume (this replaces ${path} and the report).`,
    );
  }
  return journal;
}

/** The journal could not take a write mid-run (a full disk): an I/O error (74), as for the report. */
function stateWriteFailed(error: ConfigError): CliError {
  return new CliError(
    ExitCode.IOError,
    `${error.message}. Check the disk that holds --state (space, permissions), then run the same command with --resume.`,
    { cause: error },
  );
}

/** The file of `--output`: one that cannot be opened is an I/O error (74), not a bug. */
function openOutput(path: string, resumeAt: number | undefined): OutputSink {
  try {
    return fileSink(path, { resumeAt });
  } catch (error) {
    if (error instanceof CliError) throw error;
    const reason = fileErrorReason(error, 'no such directory');
    throw new CliError(
      ExitCode.IOError,
      `Cannot write ${path}: ${reason}. Check the path given to --output.`,
      { cause: error },
    );
  }
}

/** What one audit run needs. */
export interface AuditRun {
  readonly client: Client;
  readonly checkpoints: Observable<string>;
  readonly flags: Pick<
    AuditFlags,
    | 'format'
    | 'concurrency'
    | 'limit'
    | 'revoke'
    | 'apply'
    | 'maxRevocations'
    | 'allowEmpty'
    | 'failFast'
    | 'resume'
  >;
  readonly allow: AllowList | undefined;
  /** Discovery's coverage once known (`--all`): the HTML report's metadata shows it. */
  readonly coverage?: () => DiscoveryCoverage | undefined;
  /** The organization, when the environment names it (`OPENAI_ORG_ID`), for the HTML report. */
  readonly organization?: string | undefined;
  readonly sink: OutputSink;
  readonly journal: ProgressJournal | undefined;
  readonly progress: ProgressView;
  /** The organization's projects, to name each grantee and flag archived ones. */
  readonly projects?: readonly Project[] | undefined;
}

/** How an audit run went. */
export interface AuditResult {
  readonly summary: AuditSummary;
  readonly exitCode: ExitCode;
  /** The per-checkpoint table (`--format table`); '' for other formats. */
  readonly table: string;
  /** The self-contained HTML report (`--format html`); '' for other formats. */
  readonly html: string;
  /** Every violation, for the demo's report (`--format table`; empty for other formats). */
  readonly violations: readonly PermissionRecord[];
  /** Every grant to an archived project (`--format table`; empty for other formats). */
  readonly archived: readonly PermissionRecord[];
}

/**
 * The audit loop shared by `audit` and `demo`: a {@link RecordWriter} writes the records to the
 * output and commits them to the journal; the progress display and the table's rows only
 * observe them. Writing is the audit's `process` step: a slow reader holds the next page back.
 */
export async function runAudit(run: AuditRun): Promise<AuditResult> {
  const { sink, journal, progress, flags } = run;
  const writer = new RecordWriter({
    format: flags.format,
    withAllowed: run.allow !== undefined,
    revoke: Boolean(flags.revoke),
    sink,
    journal,
  });
  const report =
    flags.format === 'html'
      ? new ReportCollector({
          ...(run.allow ? { allow: run.allow } : {}),
          ...(run.organization ? { organization: run.organization } : {}),
        })
      : undefined;
  await writer.start();
  const rows: Array<[string, number, number, number, number, string]> = [];
  const violations: PermissionRecord[] = [];
  const archived: PermissionRecord[] = [];
  const archivedOf = new Map<string, number>();
  // Only the table (and the demo, which prints one) reads the rows, violations and archived
  // grants: a streamed JSONL or CSV run keeps none of them, and its memory stays flat.
  const tabulate = flags.format === 'table';
  let summary: AuditSummary | undefined;

  // What the run learns from each record (the table's rows, the violations, the progress
  // display); the writer owns the output and the journal.
  const observe = (record: AuditRecord): void => {
    report?.add(record);
    switch (record.type) {
      case 'permission':
        if (!tabulate) return;
        if (record.allowed === false) violations.push(record);
        if (record.archived) {
          archived.push(record);
          archivedOf.set(record.checkpoint, (archivedOf.get(record.checkpoint) ?? 0) + 1);
        }
        return;
      case 'page':
        // Counted by page, not by record: the bar redraws ten times a second at most anyway.
        progress.permissions(record.permissions);
        return;
      case 'checkpoint':
        if (tabulate)
          rows.push([
            record.checkpoint,
            record.permissions,
            record.violations,
            archivedOf.get(record.checkpoint) ?? 0,
            record.pages,
            'ok',
          ]);
        progress.checkpointDone();
        return;
      case 'error':
        if (record.error.status === 401 || record.error.status === 403) {
          throw new CliError(
            ExitCode.Config,
            `The API rejected the key (${record.error.status}): ${record.error.message}. The permission endpoints need an admin key (--admin-key-file, OPENAI_ADMIN_KEY).`,
            { cause: record.cause },
          );
        }
        if (tabulate) rows.push([record.checkpoint, 0, 0, 0, 0, `failed: ${record.error.message}`]);
        progress.checkpointDone();
        return;
      case 'summary':
        summary = record;
        return;
      default:
        return;
    }
  };
  const write = async (record: AuditRecord): Promise<void> => {
    observe(record);
    await writer.write(record);
  };

  try {
    await lastValueFrom(
      auditPermissions$(run.checkpoints, {
        client: run.client,
        concurrency: flags.concurrency,
        limit: flags.limit,
        failFast: flags.failFast ?? false,
        ...(run.allow ? { allow: run.allow, allowEmpty: flags.allowEmpty ?? false } : {}),
        revoke: flags.revoke ? (flags.apply ? 'apply' : 'dry-run') : false,
        ...(flags.maxRevocations === undefined ? {} : { maxRevocations: flags.maxRevocations }),
        ...(journal && flags.resume ? { resume: journal.state } : {}),
        ...(run.projects ? { projects: run.projects } : {}),
        process: write,
      }),
    );
  } finally {
    progress.stop();
  }
  const final = summary as AuditSummary;
  const table = !tabulate
    ? ''
    : renderTable(
        ['CHECKPOINT', 'PERMISSIONS', 'VIOLATIONS', 'ARCHIVED', 'PAGES', 'STATUS'],
        [
          ...rows.sort((a, b) => a[0].localeCompare(b[0])),
          [
            'TOTAL',
            final.permissions,
            final.violations,
            final.archived,
            rows.reduce((n, r) => n + r[4], 0),
            `${final.checkpoints.ok} ok, ${final.checkpoints.failed} failed`,
          ],
        ],
      ) + archivedTable(archived);
  const exitCode =
    final.checkpoints.failed > 0
      ? ExitCode.CheckpointFailed
      : final.overBudget > 0
        ? ExitCode.RevocationBudget
        : final.violations > 0
          ? ExitCode.Violations
          : ExitCode.Clean;
  const seen = run.coverage?.();
  if (report && seen) report.add({ type: 'coverage', ...coverageFacts(seen) } as never);
  const html = report ? renderHtmlReport(report.data()) : '';
  return { summary: final, exitCode, table, html, violations, archived };
}

/**
 * The table format's list of grants to archived projects (ARCHIVED counts them per checkpoint):
 * each stands though its project is archived, and is likely to be revoked. '' when none.
 *
 * @example
 * ```ts
 * archivedTable(result.archived);
 * // '\nGrants to archived projects:\nCHECKPOINT  PROJECT  NAME  PERMISSION\n…'
 * ```
 */
export function archivedTable(grants: readonly PermissionRecord[]): string {
  if (grants.length === 0) return '';
  const sorted = [...grants].sort(
    (a, b) => a.checkpoint.localeCompare(b.checkpoint) || a.project_id.localeCompare(b.project_id),
  );
  return `\nGrants to archived projects:\n${renderTable(
    ['CHECKPOINT', 'PROJECT', 'NAME', 'PERMISSION'],
    sorted.map((g) => [g.checkpoint, g.project_id, g.project_name ?? '', g.id]),
  )}`;
}

/**
 * Discovery's coverage as a few facts for the HTML report's metadata: counts, and at most 20
 * names of the projects it could not read, not the whole organization.
 *
 * @example
 * ```ts
 * coverageFacts(coverage)['projects without a key']; // '3: Skunkworks (proj_…), …'
 * ```
 */
export function coverageFacts(coverage: DiscoveryCoverage): Record<string, string> {
  const names = (list: ReadonlyArray<{ id: string | null; name: string | null }>): string =>
    `${list.length}${list.length ? ': ' : ''}${list
      .slice(0, 20)
      .map((p) =>
        p.name
          ? `${p.name} (${p.id ?? 'the --api-key project'})`
          : (p.id ?? 'the --api-key project'),
      )
      .join(', ')}${list.length > 20 ? ', …' : ''}`;
  return {
    'audit log reaches back to':
      coverage.auditLogOldest === null
        ? 'no grant event read'
        : new Date(coverage.auditLogOldest * 1000).toISOString(),
    'projects listed': String(coverage.projects.length),
    'projects without a key': names(coverage.projectsWithoutKey),
    'projects whose listing failed': names(coverage.projectsFailed),
    'sources not read': coverage.sourcesFailed.map((f) => f.source).join(', ') || 'none',
  };
}
