import { concatMap, defer, EMPTY, finalize, map, Observable, of, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { followChanges } from '../../docs/examples/watch.js';
import { seedOrganization, startEmulator } from '../../src/emulator/index.js';
import type { WatchState } from '../../src/audit/change-state.js';
import {
  permissionChanges$,
  type PermissionChange,
  type PermissionChangesOptions,
} from '../../src/audit/permission-changes.js';
import type { Client } from '../../src/client/create-client.js';
import { APIError } from '../../src/errors.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';

const A = 'ft:gpt-4o-mini-2024-07-18:acme:alpha:aaa';
const B = 'ft:gpt-4o-mini-2024-07-18:acme:beta:bbb';
const OUTSIDE = 'ft:gpt-4o-mini-2024-07-18:acme:other:zzz';
const S = 1000;

interface LogEntry {
  readonly visibleAt: number;
  readonly event: Record<string, unknown> & { id: string; type: string; effective_at: number };
}

/**
 * A fake organization in virtual time, behind a stub `Client`: the permissions of each
 * checkpoint (the ground truth) and an audit log whose events may become visible late. Requests
 * answer after `latency` ms of virtual time.
 */
class FakeOrg {
  readonly permissions = new Map<
    string,
    Array<{ id: string; project_id: string; created_at: number }>
  >();
  readonly log: LogEntry[] = [];
  readonly requests: string[] = [];
  aborted = 0;
  latency = 0;
  failNext: unknown[] = [];
  #ids = 0;
  #events = 0;

  constructor(readonly scheduler: TestScheduler) {}

  now(): number {
    return this.scheduler.now();
  }

  /** A colleague grants; its audit event is visible after `delay` ms (never, with Infinity). */
  grant(checkpoint: string, projectId: string, delay = 0, id = `cp_${++this.#ids}`): string {
    const created_at = Math.floor(this.now() / S);
    const list = this.permissions.get(checkpoint) ?? [];
    list.push({ id, project_id: projectId, created_at });
    this.permissions.set(checkpoint, list);
    this.#append(delay, {
      type: 'checkpoint.permission.created',
      'checkpoint.permission.created': {
        id,
        data: { project_id: projectId, fine_tuned_model_checkpoint: checkpoint },
      },
    });
    return id;
  }

  revoke(checkpoint: string, id: string, delay = 0): void {
    const list = this.permissions.get(checkpoint) ?? [];
    this.permissions.set(
      checkpoint,
      list.filter((p) => p.id !== id),
    );
    this.#append(delay, {
      type: 'checkpoint.permission.deleted',
      'checkpoint.permission.deleted': { id },
    });
  }

  #append(delay: number, event: Record<string, unknown> & { type: string }): void {
    this.log.push({
      visibleAt: this.now() + delay,
      event: {
        id: `audit_log-${++this.#events}`,
        effective_at: Math.floor(this.now() / S),
        actor: { type: 'session', session: { user: { email: 'colleague@acme.example' } } },
        ...event,
      },
    });
  }

  client(): Client {
    const request$ = <T>(spec: RequestSpec<T>): Observable<T> =>
      defer(() => {
        this.requests.push(spec.path);
        const failure = this.failNext.shift();
        const body = this.#answer(spec);
        const answer$ = failure === undefined ? of(body) : throwError(() => failure);
        const delayed$ = this.latency > 0 ? timer(this.latency).pipe(map(() => 0)) : of(0);
        let done = false;
        return new Observable<T>((subscriber) =>
          delayed$.subscribe({
            complete: () =>
              answer$.subscribe({
                next: (b) => subscriber.next(spec.parse(b, undefined)),
                error: (e: unknown) => ((done = true), subscriber.error(e)),
                complete: () => ((done = true), subscriber.complete()),
              }),
          }),
        ).pipe(finalize(() => void (done || this.aborted++)));
      });
    const metrics = { requests: 0, retries: 0, rateLimited: 0, waitedMs: 0 };
    return {
      baseURL: 'http://stub/v1',
      events$: EMPTY,
      request$,
      request: () => Promise.reject(new Error('unused')),
      metrics: () => metrics,
      hasCredential: () => true,
      close: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    } as unknown as Client;
  }

  #answer(spec: RequestSpec<unknown>): unknown {
    const q = (spec.query ?? {}) as Record<string, unknown>;
    if (spec.path === '/organization/audit_logs') {
      const types = q.event_types as string[] | undefined;
      const gte = (q.effective_at as { gte?: number } | undefined)?.gte ?? 0;
      const resources = q.resource_ids as string[] | undefined;
      const data = this.log
        .filter((e) => e.visibleAt <= this.now())
        .map((e) => e.event)
        .filter((e) => !types || types.includes(e.type))
        .filter((e) => e.effective_at >= gte)
        .filter((e) => {
          const target =
            (e['checkpoint.permission.created'] as { id: string } | undefined)?.id ??
            (e['checkpoint.permission.deleted'] as { id: string } | undefined)?.id;
          return !resources || resources.includes(target as string);
        })
        .reverse();
      return { object: 'list', data, has_more: false };
    }
    const checkpoint = decodeURIComponent(
      /^\/fine_tuning\/checkpoints\/([^/]+)\/permissions$/.exec(spec.path)![1]!,
    );
    const data = (this.permissions.get(checkpoint) ?? []).map((p) => ({
      object: 'checkpoint.permission',
      ...p,
    }));
    return { object: 'list', data, has_more: false, first_id: null, last_id: null };
  }
}

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** The fields a test compares: what changed, and where. */
function gist(change: PermissionChange): unknown {
  switch (change.type) {
    case 'granted':
    case 'revoked':
      return `${change.type} ${change.permission_id} ${change.checkpoint} ${change.project_id} ${change.source}`;
    case 'synced':
      return `synced ${change.source} ${change.permissions}`;
    case 'error':
      return `error ${change.during} ${change.error.status ?? '-'}`;
  }
}

function watch(
  org: FakeOrg,
  checkpoints: string[] | 'all',
  options: PermissionChangesOptions = {},
): Observable<unknown> {
  return permissionChanges$(checkpoints, {
    client: org.client(),
    interval: 10 * S,
    ...options,
  }).pipe(map(gist));
}

describe('permissionChanges$ (virtual time)', () => {
  it('reports grants and revocations made between polls, each once, with checkpoint and project', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const org = new FakeOrg(ts);
      const first = org.grant(A, 'proj_a');
      ts.schedule(() => org.grant(A, 'proj_b'), 5 * S); // cp_2
      ts.schedule(() => org.grant(OUTSIDE, 'proj_x'), 6 * S); // not watched
      ts.schedule(() => org.revoke(A, first), 15 * S);
      expectObservable(watch(org, [A, B]), '^ 34999ms !').toBe('s 9999ms g 9999ms r', {
        s: 'synced snapshot 1',
        g: `granted cp_2 ${A} proj_b audit-log`,
        r: `revoked ${first} ${A} proj_a audit-log`,
      });
    });
  });

  it('finds an event written late, within the overlap, at the poll after it appears', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const org = new FakeOrg(ts);
      ts.schedule(() => org.grant(A, 'proj_early'), 8 * S); // seen at 10 s: position 8
      ts.schedule(() => org.grant(A, 'proj_late', 12 * S), 5 * S); // effective 5, visible at 17 s
      expectObservable(watch(org, [A]), '^ 24999ms !').toBe('s 9999ms e 9999ms l', {
        s: 'synced snapshot 0',
        e: `granted cp_2 ${A} proj_early audit-log`,
        l: `granted cp_1 ${A} proj_late audit-log`,
      });
    });
  });

  it('leaves an event written later than the overlap to the resync, which reports it as a correction', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const org = new FakeOrg(ts);
      ts.schedule(() => org.grant(A, 'proj_late', 23 * S), 22 * S); // effective 22, visible at 45 s
      ts.schedule(() => org.grant(A, 'proj_now'), 30 * S); // position 30: reads from 25
      const changes = watch(org, [A], { overlap: 5 * S, resync: 60 * S });
      expectObservable(changes, '^ 64999ms !').toBe('s 29999ms g 29999ms (cy)', {
        s: 'synced snapshot 0',
        g: `granted cp_2 ${A} proj_now audit-log`,
        c: `granted cp_1 ${A} proj_late resync`,
        y: 'synced resync 2',
      });
    });
  });

  it('reports a revocation the resync finds before its late event, once (not again when the event shows up)', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const org = new FakeOrg(ts);
      const id = org.grant(A, 'proj_a');
      ts.schedule(() => org.revoke(A, id, 10 * S), 55 * S); // effective 55, visible at 65 s
      const changes = watch(org, [A], { resync: 60 * S });
      // The next resync (120 s) would resolve the late event as an unseen revocation: it must not.
      expectObservable(changes, '^ 124999ms !').toBe('s 59999ms (ry) 59996ms y', {
        s: 'synced snapshot 1',
        r: `revoked ${id} ${A} proj_a resync`,
        y: 'synced resync 0',
      });
    });
  });

  describe('a revocation the resync found, then a restart before its late event', () => {
    /**
     * The first run, whose resync at 60 s reports the revocation of 55 s (its event shows at
     * 75 s), then a watch restarted at `at` ms from the state it saved, as `edit` leaves it.
     */
    function restartedAt(
      ts: TestScheduler,
      at: number,
      edit: (saved: WatchState) => WatchState = (saved) => saved,
    ): { restarted: Observable<unknown>; saved: () => WatchState } {
      const org = new FakeOrg(ts);
      let saved: WatchState | undefined;
      const onState = (state: WatchState): void => void (saved = JSON.parse(JSON.stringify(state)));
      const id = org.grant(A, 'proj_a');
      ts.schedule(() => org.revoke(A, id, 20 * S), 55 * S);
      ts.expectObservable(watch(org, [A], { resync: 60 * S, onState }), '^ 64999ms !').toBe(
        's 59999ms (ry)',
        { s: 'synced snapshot 1', r: `revoked ${id} ${A} proj_a resync`, y: 'synced resync 0' },
      );
      const restarted = timer(at).pipe(
        concatMap(() => watch(org, [A], { state: edit(saved!), onState, resync: 60 * S })),
      );
      return { restarted, saved: () => saved! };
    }

    it('is not reported again when the event shows up after the restart', () => {
      const ts = testScheduler();
      let saved: (() => WatchState) | undefined;
      ts.run(({ expectObservable }) => {
        // Restarted at 70 s; the event is read at 80 s, and the resync of 120 s must not resolve
        // it as the revocation of a permission never seen.
        const run = restartedAt(ts, 70 * S);
        saved = run.saved;
        expectObservable(run.restarted, '^ 124999ms !').toBe('70s r 49999ms y', {
          r: 'synced state 0',
          y: 'synced resync 0',
        });
      });
      // The marker is gone once its event came: the state does not keep it.
      expect(saved!().tombstones).toEqual({});
    });

    it('is not reported again when the restart comes after a resync period, so that a resync runs first', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        // Restarted at 130 s: a resync at 140 s, the event read at 150 s, a resync at 200 s.
        const { restarted } = restartedAt(ts, 130 * S);
        expectObservable(restarted, '^ 204999ms !').toBe('130s r 9999ms y 59999ms y', {
          r: 'synced state 0',
          y: 'synced resync 0',
        });
      });
    });

    it('still loads a state saved before the markers were kept', () => {
      const ts = testScheduler();
      const markers: unknown[] = [];
      ts.run(({ expectObservable }) => {
        const { restarted } = restartedAt(ts, 70 * S, ({ tombstones, ...before }) => {
          markers.push(tombstones);
          return before;
        });
        expectObservable(restarted, '^ 79999ms !').toBe('70s r', { r: 'synced state 0' });
      });
      expect(markers).toEqual([{ cp_1: 60 }]);
    });

    it('keeps the marker in the state only while a poll could still read its event', () => {
      const ts = testScheduler();
      const org = new FakeOrg(ts);
      const tombstones: unknown[] = [];
      ts.run(({ expectObservable }) => {
        const id = org.grant(A, 'proj_a');
        ts.schedule(() => org.revoke(A, id, Infinity), 55 * S); // its event never shows
        ts.schedule(() => org.grant(A, 'proj_b'), 125 * S); // the polls now read from 65 s
        const changes = watch(org, [A], {
          resync: 60 * S,
          onState: (state) => tombstones.push(state.tombstones),
        });
        expectObservable(changes, '^ 134999ms !').toBe('s 59999ms (ry) 59996ms y 9999ms g', {
          s: 'synced snapshot 1',
          r: `revoked ${id} ${A} proj_a resync`,
          y: 'synced resync 0',
          g: `granted cp_2 ${A} proj_b audit-log`,
        });
      });
      expect(tombstones.slice(-3)).toEqual([{ cp_1: 60 }, { cp_1: 60 }, {}]);
    });
  });

  it('resolves a revocation of a permission never seen at the next resync: reported with its checkpoint when watched, dropped when not', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const org = new FakeOrg(ts);
      // Granted at 3 s with its event hidden until 50 s; revoked at 12 s.
      ts.schedule(() => org.grant(A, 'proj_ghost', 47 * S, 'cp_ghost'), 3 * S);
      ts.schedule(() => org.grant(OUTSIDE, 'proj_x', 0, 'cp_out'), 4 * S);
      ts.schedule(() => org.revoke(A, 'cp_ghost'), 12 * S);
      ts.schedule(() => org.revoke(OUTSIDE, 'cp_out'), 13 * S);
      const changes = watch(org, [A], { overlap: 5 * S, resync: 60 * S });
      expectObservable(changes, '^ 64999ms !').toBe('s 59999ms (ry)', {
        s: 'synced snapshot 0',
        r: `revoked cp_ghost ${A} proj_ghost resync`,
        y: 'synced resync 0',
      });
    });
  });

  it('reports a poll that failed after the retries and goes on polling from the same position', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const org = new FakeOrg(ts);
      ts.schedule(() => org.grant(A, 'proj_b'), 15 * S);
      ts.schedule(
        () => org.failNext.push(new APIError('503 Service Unavailable', { status: 503 })),
        19 * S,
      );
      expectObservable(watch(org, [A]), '^ 34999ms !').toBe('s 9999ms - 9999ms e 9999ms g', {
        s: 'synced snapshot 0',
        e: 'error poll 503',
        g: `granted cp_1 ${A} proj_b audit-log`,
      });
    });
  });

  it('costs one request per quiet poll, and nothing per checkpoint between resyncs', () => {
    const ts = testScheduler();
    const org = new FakeOrg(ts);
    ts.run(({ expectObservable }) => {
      org.grant(A, 'proj_a');
      org.grant(B, 'proj_b');
      expectObservable(watch(org, [A, B]), '^ 50999ms !').toBe('s', { s: 'synced snapshot 2' });
    });
    const polls = org.requests.filter((path) => path === '/organization/audit_logs');
    expect(org.requests.length - polls.length).toBe(2); // the snapshot: one page per checkpoint
    expect(polls).toHaveLength(5); // 10, 20, 30, 40, 50 s
  });

  it('stops polling when unsubscribed, aborting the poll in flight', () => {
    const ts = testScheduler();
    const org = new FakeOrg(ts);
    ts.run(({ expectObservable }) => {
      org.latency = 2 * S; // the snapshot ends at 2 s; the poll of 12 s is in flight until 14 s
      expectObservable(watch(org, [A]), '^ 12999ms !').toBe('2s s', { s: 'synced snapshot 0' });
    });
    expect(org.requests).toEqual([
      `/fine_tuning/checkpoints/${A}/permissions`,
      '/organization/audit_logs',
    ]);
    expect(org.aborted).toBe(1);
  });

  it('resumes from a saved state: what happened while down is reported, nothing is repeated, no snapshot', () => {
    const ts = testScheduler();
    const org = new FakeOrg(ts);
    let saved: WatchState | undefined;
    const onState = (state: WatchState): void => void (saved = JSON.parse(JSON.stringify(state)));
    ts.run(({ expectObservable, cold }) => {
      org.grant(A, 'proj_a');
      ts.schedule(() => org.grant(A, 'proj_b'), 5 * S); // reported by the first run
      ts.schedule(() => org.grant(A, 'proj_c'), 30 * S); // while down
      ts.schedule(() => org.revoke(A, 'cp_1'), 35 * S); // while down
      expectObservable(watch(org, [A], { onState }), '^ 24999ms !').toBe('s 9999ms g', {
        s: 'synced snapshot 1',
        g: `granted cp_2 ${A} proj_b audit-log`,
      });
      const restarted = cold('40s x').pipe(
        concatMap(() => watch(org, [A], { state: saved!, onState })),
      );
      expectObservable(restarted, '^ 59999ms !').toBe('40s r 9999ms (cv)', {
        r: 'synced state 2',
        c: `granted cp_3 ${A} proj_c audit-log`,
        v: `revoked cp_1 ${A} proj_a audit-log`,
      });
    });
    const listings = org.requests.filter((path) => path !== '/organization/audit_logs');
    expect(listings).toHaveLength(1); // the first run's snapshot only
    expect(Object.keys(saved!.permissions).sort()).toEqual(['cp_2', 'cp_3']);
  });
});

describe('permissionChanges$ against the emulator (docs/examples/watch.ts)', () => {
  it('reports a grant made by a colleague, then resumes from the saved state without a snapshot', async () => {
    const emulator = await startEmulator({ dataset: seedOrganization({ seed: 11, jobs: 2 }) });
    const dir = mkdtempSync(join(tmpdir(), 'watch-example-'));
    try {
      vi.stubEnv('OPENAI_ADMIN_KEY', emulator.adminKey);
      vi.stubEnv('OPENAI_BASE_URL', emulator.url);
      const truth = emulator.truth();
      const checkpoint = Object.keys(truth.permissions)[0]!;
      const [first, second] = truth.projects
        .map((p) => p.id)
        .filter(
          (id) =>
            id !== truth.owners[checkpoint] &&
            !truth.permissions[checkpoint]!.some((p) => p.project_id === id),
        );
      const state = join(dir, 'watch.json');
      let granted = '';
      const seen = await followChanges(
        [checkpoint],
        state,
        (change) => {
          if (change.type === 'synced') granted = emulator.grant(checkpoint, first!).id;
          return change.type === 'granted';
        },
        20,
      );
      expect(seen.map((c) => c.type)).toEqual(['synced', 'granted']);
      expect(seen[1]).toMatchObject({ permission_id: granted, checkpoint, project_id: first });

      const later = emulator.grant(checkpoint, second!).id;
      const resumed = await followChanges([checkpoint], state, (c) => c.type === 'granted', 20);
      expect(resumed.map((c) => c.type)).toEqual(['synced', 'granted']);
      expect(resumed[0]).toMatchObject({ source: 'state' });
      expect(resumed[1]).toMatchObject({ permission_id: later, project_id: second });
    } finally {
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
      await emulator.close();
    }
  });
});
