import { createHash } from 'node:crypto';
import { lastValueFrom, tap } from 'rxjs';
import { compileAllowList, type AllowPolicy } from '../../audit/allow-list.js';
import type { WatchState } from '../../audit/change-state.js';
import { errorDetails } from '../../audit/error-details.js';
import { permissionChanges$, type PermissionChange } from '../../audit/permission-changes.js';
import type { Client } from '../../client/create-client.js';
import { NotFoundError } from '../../errors.js';
import { deletePermissionRequest } from '../../resources/write-permissions.js';
import { CliError } from '../cli-error.js';
import { clientFromFlags } from '../client-from-flags.js';
import { ExitCode } from '../exit-codes.js';
import { checkCheckpointArguments, readAllowList, readCheckpointList } from '../inputs.js';
import type { CliIO } from '../io.js';
import { jsonLine } from '../output/formats.js';
import { OutputClosedError, streamSink } from '../output/sink.js';
import { checkMetricsFlags, checkRevokeFlags } from '../flag-requirements.js';
import { checkRunFiles } from '../state-guards.js';
import { terminalSafe } from '../terminal-text.js';
import { serveMetrics, WatchMetrics } from '../watch/metrics-server.js';
import { WatchProgressLine } from '../watch/progress-line.js';
import { readWatchStateFile, watchScope, writeWatchStateFile } from '../watch/state-file.js';
import { WebhookDelivery } from '../watch/webhook.js';
import type { WatchFlags } from '../definitions/watch.js';

/** How long a stopping watch waits for its webhook queue before giving up on it. */
const WEBHOOK_DRAIN_MS = 5_000;

/** One line of the watch's output that is not a change: an enforcement, a snapshot violation. */
interface Enforced {
  readonly type: 'enforced';
  readonly checkpoint: string;
  readonly project_id: string;
  readonly permission_id: string;
  readonly dry_run: boolean;
  readonly deleted: boolean;
  readonly reason?: 'budget-exhausted';
  readonly error?: ReturnType<typeof errorDetails>;
}

/**
 * `checkpoint-permissions watch`: a snapshot, then one JSON line per change as the audit log
 * shows it, until SIGINT or SIGTERM (exit 0, state saved). With `--allow`, each grant says
 * whether it is allowed, and `--revoke [--apply]` enforces the allow-list as grants appear.
 */
export async function watchCommand(
  ids: readonly string[],
  flags: WatchFlags,
  io: CliIO,
): Promise<ExitCode> {
  checkFlags(flags);
  // Arguments are not options, so `.conflicts()` cannot refuse ids with --all (it refuses --input
  // with --all): refused here, before the --input file is read.
  if (ids.length > 0 && flags.all)
    throw new CliError(
      ExitCode.Usage,
      'Give checkpoint ids (or --input) or --all, not both: --all already watches every checkpoint.',
    );
  checkRunFiles({ state: flags.state, input: flags.input, allow: flags.allow });
  const listed = [
    ...checkCheckpointArguments(ids),
    ...(flags.input ? await readCheckpointList(flags.input, io.stdin) : []),
  ];
  if (listed.length === 0 && !flags.all)
    throw new CliError(
      ExitCode.Usage,
      'No checkpoints to watch: give their ids, --input FILE (or - for stdin), or --all.',
    );
  const policy = flags.allow
    ? compileAllowList(
        await readAllowList(flags.allow, { allowEmpty: flags.allowEmpty ?? false }),
        {
          allowEmpty: true,
        },
      )
    : undefined;
  const scope = watchScope(flags.all ?? false, listed);
  const saved = flags.state ? readWatchStateFile(flags.state, scope) : undefined;
  const warn = (line: string): void => void io.stderr.write(line);
  const client = clientFromFlags(flags, io.env, warn);
  const metrics = new WatchMetrics(client, flags.interval);
  const progress = new WatchProgressLine(io.stderr, flags.interval, !flags.quiet);
  const hook = flags.webhook ? new WebhookDelivery(flags.webhook, { warn }) : undefined;
  const sink = streamSink(io.stdout);
  let server: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  try {
    if (flags.metricsPort !== undefined) {
      // --metrics-port implies --metrics-host (definitions/watch.ts): never undefined here.
      const host = flags.metricsHost!;
      server = await serveMetrics(metrics, flags.metricsPort, host).catch((error: unknown) => {
        throw new CliError(
          ExitCode.Usage,
          `Cannot serve metrics on ${host}:${flags.metricsPort}: ${(error as Error).message}. Give --metrics-port a free port.`,
          { cause: error },
        );
      });
      if (!flags.quiet)
        warn(`checkpoint-permissions: metrics on http://${host}:${server.port}/metrics\n`);
    }
    if (!flags.quiet)
      warn(
        `checkpoint-permissions: watching ${flags.all ? 'every checkpoint' : `${listed.length} checkpoint${listed.length === 1 ? '' : 's'}`}, a poll every ${flags.interval / 1000}s${saved ? `, resuming ${flags.state}` : ''}; Ctrl-C to stop\n`,
      );
    const run = new WatchRun(client, flags, policy, sink.write.bind(sink), metrics, hook);
    let stopNow: () => void = () => undefined;
    const stop = new Promise<void>((resolve) => (stopNow = resolve));
    void io.interrupted().then(() => stopNow());
    run.onFatal = () => stopNow();
    await lastValueFrom(
      permissionChanges$(flags.all ? 'all' : listed, {
        client,
        interval: flags.interval,
        resync: flags.resync,
        ...(saved ? { state: saved } : {}),
        onState: (state) =>
          run.inTurn(async () => {
            await run.enforceStart(state);
            if (flags.state) writeWatchStateFile(flags.state, scope, state);
          }),
        onPoll: (poll) => {
          metrics.poll(poll);
          progress.poll(poll);
        },
        stop,
      }).pipe(
        tap((change) => {
          progress.change(change);
          run.inTurn(() => run.handle(change));
        }),
      ),
      { defaultValue: undefined },
    );
    await run.settled();
    return ExitCode.Clean;
  } catch (error) {
    if (error instanceof OutputClosedError) return ExitCode.Clean;
    throw error;
  } finally {
    progress.stop();
    await hook?.close(WEBHOOK_DRAIN_MS);
    await server?.close();
    await sink.close().catch(() => undefined);
    await client.close();
  }
}

function checkFlags(flags: WatchFlags): void {
  checkRevokeFlags(flags);
  checkMetricsFlags(flags);
  if (flags.webhook !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(flags.webhook);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      throw new CliError(
        ExitCode.Usage,
        '--webhook needs an http(s) URL, such as https://hooks.slack.com/services/…',
      );
  }
}

/**
 * What one watch does with each change, in order, one at a time: print it, check it against
 * the allow-list, enforce it, tell the webhook. A failure that ends the watch (the key rejected,
 * stdout gone) is kept, stops the feed, and is thrown by `settled()`.
 */
class WatchRun {
  onFatal: () => void = () => undefined;
  #turn: Promise<void> = Promise.resolve();
  #fatal: unknown;
  #budget: number;
  /** Set by the snapshot's `synced`: the state saved next is the snapshot's, to enforce. */
  #startPending = false;

  constructor(
    readonly client: Client,
    readonly flags: WatchFlags,
    readonly policy: AllowPolicy | undefined,
    readonly write: (text: string) => Promise<void>,
    readonly metrics: WatchMetrics,
    readonly hook: WebhookDelivery | undefined,
  ) {
    this.#budget = flags.maxRevocations ?? 100;
  }

  inTurn(step: () => Promise<void>): void {
    this.#turn = this.#turn.then(async () => {
      if (this.#fatal !== undefined) return;
      try {
        await step();
      } catch (error) {
        this.#fatal = error;
        this.onFatal();
      }
    });
  }

  async settled(): Promise<void> {
    await this.#turn;
    if (this.#fatal !== undefined) throw this.#fatal;
  }

  async handle(change: PermissionChange): Promise<void> {
    this.metrics.change(change);
    switch (change.type) {
      case 'granted': {
        const allowed = this.policy?.isAllowed(change.checkpoint, change.project_id);
        // The webhook gets the line as printed, its verdict included.
        const line = allowed === undefined ? change : { ...change, allowed };
        await this.write(jsonLine(line));
        if (allowed !== false) return;
        this.#notify(
          change.event_id ?? stableId('granted', change.permission_id),
          line,
          rogueText(change),
        );
        return this.#enforce(change.checkpoint, change.project_id, change.permission_id);
      }
      case 'error': {
        await this.write(jsonLine(change));
        this.#notify(
          stableId('error', `${change.during}:${change.at}:${change.error.message}`),
          change,
          `checkpoint-permissions watch: ${change.during} failed: ${change.error.message}`,
        );
        if (change.error.status === 401 || change.error.status === 403)
          throw new CliError(
            ExitCode.Config,
            `The API rejected the key (${change.error.status}): ${change.error.message}. The audit log and the permissions endpoints need an admin key.`,
          );
        return;
      }
      case 'synced':
        // A snapshot, not a resync (whose findings come as changes) nor a restored state
        // (whose violations were enforced when they were granted).
        if (change.source === 'snapshot') this.#startPending = true;
        return this.write(jsonLine(change));
      default:
        return this.write(jsonLine(change));
    }
  }

  /** The violations present when the watch started (in the snapshot), reported and enforced once. */
  async enforceStart(state: WatchState): Promise<void> {
    if (!this.#startPending) return;
    this.#startPending = false;
    if (!this.policy) return;
    for (const [id, [checkpoint, project_id]] of Object.entries(state.permissions)) {
      if (this.policy.isAllowed(checkpoint, project_id)) continue;
      const violation = {
        type: 'violation',
        checkpoint,
        project_id,
        permission_id: id,
        source: 'snapshot',
      };
      await this.write(jsonLine(violation));
      this.#notify(stableId('violation', id), violation, rogueText(violation));
      await this.#enforce(checkpoint, project_id, id);
    }
  }

  async #enforce(checkpoint: string, project_id: string, permission_id: string): Promise<void> {
    if (!this.flags.revoke) return;
    const base = { type: 'enforced', checkpoint, project_id, permission_id } as const;
    let line: Enforced;
    if (!this.flags.apply) {
      line = { ...base, dry_run: true, deleted: false };
      this.metrics.enforcement('dry_run');
    } else if (this.#budget <= 0) {
      line = { ...base, dry_run: false, deleted: false, reason: 'budget-exhausted' };
      this.metrics.enforcement('over_budget');
    } else {
      this.#budget--;
      line = await lastValueFrom(
        this.client.request$(deletePermissionRequest(checkpoint, permission_id), { checkpoint }),
      ).then(
        (result): Enforced => ({ ...base, dry_run: false, deleted: result.deleted }),
        // Gone already (revoked by someone else meanwhile): the goal is met.
        (error: unknown): Enforced =>
          error instanceof NotFoundError
            ? { ...base, dry_run: false, deleted: true }
            : { ...base, dry_run: false, deleted: false, error: errorDetails(error) },
      );
      this.metrics.enforcement(line.deleted ? 'revoked' : 'failed');
    }
    await this.write(jsonLine(line));
    const outcome = line.dry_run
      ? 'would revoke (dry run)'
      : line.deleted
        ? 'revoked'
        : line.reason
          ? 'left in place: --max-revocations budget spent'
          : `failed to revoke: ${line.error?.message ?? 'unknown error'}`;
    this.#notify(
      stableId('enforced', permission_id),
      line,
      `checkpoint-permissions watch: ${outcome}: ${project_id} on ${checkpoint} (${permission_id})`,
    );
  }

  #notify(id: string, event: unknown, text: string): void {
    this.hook?.send({ id, text: terminalSafe(text), event });
  }
}

/** The id of a message without an audit-log event id: the same for the same thing, across restarts. */
function stableId(kind: string, key: string): string {
  return `${kind}-${createHash('sha256').update(`${kind}\n${key}`).digest('hex').slice(0, 32)}`;
}

function rogueText(change: {
  checkpoint: string;
  project_id: string;
  permission_id: string;
  actor?: unknown;
}): string {
  const by = actorName(change.actor);
  return `checkpoint-permissions watch: rogue grant: ${change.project_id} may use ${change.checkpoint} (${change.permission_id})${by ? `, granted by ${by}` : ''}`;
}

/** Who acted, from the audit log's actor: a user's email, or an API key's id. */
function actorName(actor: unknown): string | undefined {
  const a = actor as {
    session?: { user?: { email?: string; id?: string } };
    api_key?: { id?: string; user?: { email?: string }; service_account?: { id?: string } };
  } | null;
  return (
    a?.session?.user?.email ??
    a?.session?.user?.id ??
    a?.api_key?.user?.email ??
    a?.api_key?.service_account?.id ??
    a?.api_key?.id
  );
}
