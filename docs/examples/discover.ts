import {
  auditPermissions$,
  createClient,
  discoverCheckpoints$,
  projects$,
  type AuditSummary,
  type DiscoveryCoverage,
} from 'rx-checkpoint-permissions';
import { concatMap, filter, lastValueFrom, toArray } from 'rxjs';

/**
 * An organization-wide audit on the real API: discover the checkpoints (the audit log with the
 * admin key, plus the jobs of every project whose key is in `projectKeys`), audit them with the
 * projects named, and say what discovery could not see. The admin key comes from
 * OPENAI_ADMIN_KEY; the project keys are passed in (from a vault, a file).
 */
export async function auditOrganization(projectKeys: Readonly<Record<string, string>>): Promise<{
  summary: AuditSummary;
  coverage: DiscoveryCoverage;
}> {
  const client = createClient({ projectKeys });
  try {
    // Archived projects too: a grant to one still stands, and the audit flags it.
    const projects = await lastValueFrom(
      projects$({ client, includeArchived: true, limit: 100 }).pipe(
        concatMap((page) => page.data),
        toArray(),
      ),
    );
    const events = await lastValueFrom(discoverCheckpoints$({ client }).pipe(toArray()));
    const checkpoints = events.flatMap((e) => (e.type === 'checkpoint' ? [e.checkpoint] : []));
    const coverage = events.find((e): e is DiscoveryCoverage => e.type === 'coverage')!;
    const summary = await lastValueFrom(
      auditPermissions$(checkpoints, { client, projects }).pipe(
        filter((record): record is AuditSummary => record.type === 'summary'),
      ),
    );
    for (const project of coverage.projectsWithoutKey) {
      console.warn(
        `no key for ${project.id} (${project.name ?? 'no name'}): only logged grants seen`,
      );
    }
    return { summary, coverage };
  } finally {
    await client.close();
  }
}
