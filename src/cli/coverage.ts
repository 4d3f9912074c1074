import type { ErrorDetails } from '../audit/audit-record.js';
import type { DiscoveryCoverage, ProjectRef } from '../audit/discovery-event.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import { terminalSafe } from './terminal-text.js';

/** Projects named in one line of the coverage at most; the rest are counted. */
export const MAX_NAMED_PROJECTS = 20;

/**
 * What `audit --all` could not see, for the summary on stderr: how far back the audit log
 * reaches, whose jobs were read, the projects without a key (whose checkpoints granted only
 * before the log began cannot be found), the projects whose listing failed, and a source that
 * could not be read at all. One line each, every name shown {@link terminalSafe}.
 *
 * @example
 * ```ts
 * formatCoverage(coverage);
 * // 'Coverage: the audit log reaches back to 2024-07-24 09:12 UTC (grants before that have no event) · jobs read for 3 of 54 projects\n'
 * // 'No key for 51 projects: their checkpoints granted only before 2024-07-24 09:12 UTC cannot be found. Add their keys to --project-keys: proj_… (Skunkworks), …\n'
 * ```
 */
export function formatCoverage(c: DiscoveryCoverage): string {
  const lines: string[] = [];
  const logFailed = c.sourcesFailed.find((f) => f.source === 'audit-log');
  const since = c.auditLogOldest === null ? undefined : utc(c.auditLogOldest);
  const log = logFailed
    ? `the audit log could not be read (${reason(logFailed.error)})`
    : since
      ? `the audit log reaches back to ${since} (grants before that have no event)`
      : 'the audit log holds no checkpoint.permission.created event';
  const read = c.projects.length - c.projectsWithoutKey.length;
  const failed = c.projectsFailed.filter((f) => f.id !== null).length;
  const jobs = `jobs read for ${read - failed} of ${plural(c.projects.length, 'project')}${
    c.apiKeyUsed ? ', and for the project of --api-key (OPENAI_API_KEY)' : ''
  }`;
  lines.push(`Coverage: ${log} · ${jobs}`);
  if (c.projectsWithoutKey.length > 0) {
    const before = since ? `granted only before ${since}` : 'that the audit log does not name';
    lines.push(
      `No key for ${plural(c.projectsWithoutKey.length, 'project')}: their checkpoints ${before} cannot be found. ` +
        `Add their keys to --project-keys: ${names(c.projectsWithoutKey)}`,
    );
  }
  if (c.projectsFailed.length > 0) {
    const each = c.projectsFailed.map((f) => {
      const who = f.id === null ? 'the project of --api-key' : name(f);
      return `${who}: ${reason(f.error)}${f.error.status === 401 || f.error.status === 403 ? ' (check its key)' : ''}`;
    });
    lines.push(
      `Listing the jobs failed for ${plural(c.projectsFailed.length, 'project')} (the others went on; audit again to cover them): ${each.join('; ')}`,
    );
  }
  const projectsFailed = c.sourcesFailed.find((f) => f.source === 'projects');
  if (projectsFailed) {
    lines.push(
      `The projects could not be listed (${reason(projectsFailed.error)}): no project's jobs were read.`,
    );
  }
  return lines.map((line) => `${terminalSafe(line)}\n`).join('');
}

/**
 * Whether discovery missed something it should have seen (a project's listing, the audit log or
 * the projects failed): the audit is incomplete, and exits 2 like a failed checkpoint. Projects
 * without a key are a known limit, said in the coverage, not a failure. A source refused with
 * 401/403 means the admin key itself was rejected: a configuration error (78), thrown.
 *
 * @example
 * ```ts
 * if (discoveryIncomplete(coverage)) exitCode = ExitCode.CheckpointFailed;
 * ```
 */
export function discoveryIncomplete(c: DiscoveryCoverage): boolean {
  const rejected = c.sourcesFailed.find((f) => f.error.status === 401 || f.error.status === 403);
  if (rejected) {
    throw new CliError(
      ExitCode.Config,
      `The API rejected the key (${rejected.error.status}) reading the ${rejected.source === 'audit-log' ? 'audit log' : 'projects'}: ${rejected.error.message}. The permission and organization endpoints need an admin key (--admin-key-file, OPENAI_ADMIN_KEY).`,
    );
  }
  return c.projectsFailed.length > 0 || c.sourcesFailed.length > 0;
}

function names(projects: readonly ProjectRef[]): string {
  const shown = projects.slice(0, MAX_NAMED_PROJECTS).map(name);
  const more = projects.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

function name(p: { id: string | null; name: string | null; status?: string | null }): string {
  const details = [p.name, p.status === 'archived' ? 'archived' : null].filter(Boolean);
  return `${p.id ?? '?'}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

function reason(error: ErrorDetails): string {
  return error.message.replace(/([^.])\.$/, '$1');
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** Unix seconds as `2024-07-24 09:12 UTC`. */
function utc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
