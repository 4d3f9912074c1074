import { tap } from 'rxjs';
import type { AllowList } from '../../audit/allow-list.js';
import { discoverCheckpoints$ } from '../../audit/discover-checkpoints.js';
import type { DiscoveryCoverage } from '../../audit/discovery-event.js';
import { createClient } from '../../client/create-client.js';
import type { Dataset } from '../../emulator/data/dataset.js';
import { seedOrganization } from '../../emulator/data/seed.js';
import { startEmulator } from '../../emulator/http/server.js';
import { formatCoverage } from '../coverage.js';
import { ExitCode } from '../exit-codes.js';
import { howToRun, whereToRead } from '../invocation.js';
import type { CliIO } from '../io.js';
import { OutputClosedError, streamSink, type OutputSink } from '../output/sink.js';
import { renderTable } from '../output/table.js';
import { progressBar } from '../progress.js';
import { listProjects } from '../projects.js';
import { checkpointsOf, runAudit } from './audit.js';
import { emulatorOptions } from './emulator.js';
import type { DemoFlags } from '../definitions/demo.js';

/** The demo organization: 60 jobs of 5 checkpoints, a rate limit, and a little chaos. */
export const DEMO = {
  jobs: 60,
  checkpointsPerJob: 5,
  requestsPerMinute: 6000,
  chaos: 0.03,
  concurrency: 16,
  /**
   * Grants nobody approved, made by a colleague in the dashboard just before the audit (so the
   * audit log has them): what it must find, whichever project owns the checkpoint.
   */
  rogueGrants: [
    { project: 'proj_contractor_q3', checkpoints: [3, 41, 97, 180] },
    { project: 'proj_sandbox_legacy', checkpoints: [12, 250] },
  ],
  /** The rogue grants' projects, added to the organization; the legacy sandbox is archived. */
  rogueProjects: [
    { id: 'proj_contractor_q3', name: 'Contractor (Q3)', status: 'active' },
    { id: 'proj_sandbox_legacy', name: 'Sandbox (legacy)', status: 'archived' },
  ],
} as const;

/**
 * The demo's organization: the generated one (four projects own the jobs, three of them with a
 * project key; audit logging enabled halfway through the grants) plus the rogue projects.
 *
 * @example
 * ```ts
 * await startEmulator({ dataset: demoDataset(7) });
 * ```
 */
export function demoDataset(seed: number): Dataset {
  const organization = seedOrganization({
    seed,
    jobs: DEMO.jobs,
    checkpointsPerJob: DEMO.checkpointsPerJob,
  });
  return {
    ...organization,
    projects: [...(organization.projects ?? []), ...DEMO.rogueProjects],
  };
}

/**
 * `checkpoint-permissions demo`: the main job on the built-in emulator, with no key and no
 * network. Starts a seeded organization (a few hundred checkpoints, a rate limit, light chaos),
 * takes its current grants as the approved baseline, adds a few rogue grants, then discovers
 * the checkpoints as `audit --all` does (the audit log with the admin key, the jobs of the
 * projects with a project key), audits them, and prints the summary, the coverage (what the
 * keys could not see) and the violations.
 */
export async function demoCommand(flags: DemoFlags, io: CliIO): Promise<ExitCode> {
  const emulator = await startEmulator({
    ...emulatorOptions({
      seed: flags.seed,
      rpm: DEMO.requestsPerMinute,
      chaos: DEMO.chaos,
    }),
    dataset: demoDataset(flags.seed),
  });
  // Both kinds of key, as in a real organization: the admin key for the permissions, the
  // projects and the audit log; each project's own key for its jobs.
  const client = createClient({
    adminAPIKey: emulator.adminKey,
    projectKeys: emulator.projectKeys,
    baseURL: emulator.url,
    maxRetries: 8,
    rateLimit: { maxConcurrency: DEMO.concurrency },
  });
  // Through a sink, like the report of `audit`: `demo | head` ends quietly, with no EPIPE trace.
  const stdout = streamSink(io.stdout);
  const out = (text: string): Promise<void> => stdout.write(text);
  try {
    const truth = emulator.truth();
    const names = truth.checkpoints.map((c) => c.fine_tuned_model_checkpoint);
    const baseline = new Set(
      Object.values(truth.permissions).flatMap((list) => list.map((p) => p.project_id)),
    );
    const allow: AllowList = { projects: baseline };
    for (const { project, checkpoints } of DEMO.rogueGrants) {
      for (const index of checkpoints) emulator.grant(names[index % names.length]!, project);
    }
    emulator.resetStats();

    await out(
      `Emulator ${emulator.url}: ${names.length} checkpoints in ${truth.jobs.length} jobs, `,
    );
    await out(
      `${DEMO.requestsPerMinute} requests/min, ${DEMO.chaos * 100}% of requests fail on purpose.\n`,
    );
    await out(
      `Allow-list: the ${baseline.size.toLocaleString('en-US')} projects granted before the demo added a few rogue grants.\n\n`,
    );

    const progress = progressBar(io.stderr, client, !flags.quiet);
    const projects = await listProjects(client, (line) => void io.stderr.write(line));
    let coverage: DiscoveryCoverage | undefined;
    const discovered = new Set<string>();
    const result = await runAudit({
      client,
      checkpoints: checkpointsOf(discoverCheckpoints$({ client }), (c) => (coverage = c)).pipe(
        tap((checkpoint) => {
          discovered.add(checkpoint);
          progress.addTotal(1);
        }),
      ),
      flags: { format: 'table', concurrency: DEMO.concurrency, limit: 100 },
      allow,
      sink: discard,
      journal: undefined,
      progress,
      projects,
    });

    const s = result.summary;
    const stats = emulator.stats();
    await out('Summary\n');
    await out(
      renderTable(
        ['', 'VALUE'],
        [
          ['checkpoints found', discovered.size],
          ['checkpoints audited', s.checkpoints.ok],
          ['checkpoints failed', s.checkpoints.failed],
          ['permissions', s.permissions],
          ['violations', s.violations],
          ['to archived projects', s.archived],
          ['requests sent', s.requests],
          ['retries', s.retries],
          ['429s', s.rateLimited],
          ['elapsed ms', Math.round(s.elapsedMs)],
        ].map(([k, v]) => [`  ${k}`, v as number]),
      ),
    );
    await out(
      `  (the emulator injected ${stats.faults} faults and served ${stats.permissionPagesServed} permission pages)\n\n`,
    );
    const missed = names.filter((name) => !discovered.has(name)).length;
    await out('Coverage: what the keys could see\n');
    await out(
      formatCoverage(coverage as DiscoveryCoverage)
        .split('\n')
        .map((line) => (line ? `  ${line}` : line))
        .join('\n'),
    );
    // The emulator knows the whole truth: why the rest was missed, unless a listing failed too.
    const failures = (coverage?.projectsFailed.length ?? 0) + (coverage?.sourcesFailed.length ?? 0);
    await out(
      failures === 0
        ? `  (the emulator holds ${names.length} checkpoints: the ${missed} not found belong to projects without a key and have no grant since audit logging began)\n\n`
        : `  (the emulator holds ${names.length} checkpoints: ${missed} not found, some because a listing failed above)\n\n`,
    );
    await out('Violations: permissions for projects outside the allow-list\n');
    await out(
      renderTable(
        ['  CHECKPOINT', 'PROJECT', 'NAME', 'ARCHIVED', 'PERMISSION'],
        [...result.violations]
          .sort((a, b) => a.checkpoint.localeCompare(b.checkpoint))
          .map((v) => [
            `  ${v.checkpoint}`,
            v.project_id,
            v.project_name ?? '',
            v.archived ? 'yes' : '',
            v.id,
          ]),
      ),
    );
    await out(
      `\nAn audit finding these exits with ${result.exitCode} (${describeExit(result.exitCode)}).\n`,
    );
    // A hint that works where it is printed: a clone has no `checkpoint-permissions` on the PATH,
    // an installed package no docs/.
    await out(
      `Next: run \`${howToRun('emulator')}\` in one terminal and audit it from another, see ${whereToRead()}.\n`,
    );
    return ExitCode.Clean;
  } catch (error) {
    if (error instanceof OutputClosedError) return ExitCode.Clean;
    throw error;
  } finally {
    await stdout.close();
    await client.close();
    await emulator.close();
  }
}

/** The demo prints to the terminal, not through a report sink. */
const discard: OutputSink = {
  bytes: 0,
  write: async () => undefined,
  close: async () => undefined,
};

function describeExit(code: ExitCode): string {
  return code === ExitCode.Clean
    ? 'clean'
    : code === ExitCode.Violations
      ? 'violations found'
      : 'some checkpoints failed';
}
