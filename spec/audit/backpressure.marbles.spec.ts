import { defer, EMPTY, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { auditPermissions$ } from '../../src/audit/audit-permissions.js';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import type { Client, ClientMetrics } from '../../src/client/create-client.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';
import type { Permission, PermissionPage } from '../../src/resources/permission.js';

/*
 * Backpressure in virtual time: the stub client answers every page request `latency` frames
 * after it is made, and the consumer (`process`) takes `work` frames per page record. A pulled
 * audit requests a checkpoint's next page only once the consumer has finished the previous one,
 * so each request starts exactly when the previous page's processing ends; an audit that paged
 * ahead (`expand` without a gate, `mergeMap` buffering) would request at 0, 2, 4, ... instead.
 */

const CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:marbles:Mb12CD34';

function permission(n: number): Permission {
  return { object: 'checkpoint.permission', id: `cp_${n}`, created_at: n, project_id: 'proj_a' };
}

/** `pages` pages of `perPage` permissions; the cursor of page i is the id of its last permission. */
function pagesOf(pages: number, perPage: number): PermissionPage[] {
  return Array.from({ length: pages }, (_, i) => {
    const data = Array.from({ length: perPage }, (_, j) => permission(i * perPage + j));
    return {
      object: 'list',
      data,
      has_more: i < pages - 1,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    } as PermissionPage;
  });
}

const METRICS: ClientMetrics = {
  requests: 0,
  retries: 0,
  rateLimited: 0,
  waitedMs: 0,
  retryBudget: undefined,
  limiter: {
    mode: 'adaptive',
    active: 0,
    queued: 0,
    ratePerSecond: undefined,
    pausedForMs: 0,
    requests: 0,
    rateLimited: 0,
    waitedMs: 0,
  },
};

/**
 * A client that serves `pages` in order of their cursors, each `latency` frames after the
 * request, and logs when each request was made (the frame) and with which cursor.
 */
function stubClient(
  scheduler: TestScheduler,
  pages: readonly PermissionPage[],
  latency: number,
): { client: Client; requests: Array<{ at: number; after: string | undefined }> } {
  const requests: Array<{ at: number; after: string | undefined }> = [];
  const request$ = <T>(spec: RequestSpec<T>): Observable<T> =>
    defer(() => {
      const after = spec.query?.['after'] as string | undefined;
      requests.push({ at: scheduler.now(), after });
      const index = after === undefined ? 0 : pages.findIndex((p) => p.first_id === next(after));
      const page = pages[index];
      if (!page) throw new Error(`no page after ${after}`);
      return scheduler.createColdObservable<T>(`${'-'.repeat(latency)}(p|)`, {
        p: page as unknown as T,
      });
    });
  const client = { request$, metrics: () => METRICS } as unknown as Client;
  return { client, requests };
}

/** The id that follows `id` (`cp_4` -> `cp_5`): where the next page starts. */
function next(id: string): string {
  return `cp_${Number(id.slice('cp_'.length)) + 1}`;
}

/** A consumer that spends `work` frames on every page record and none on the others. */
function consumer(scheduler: TestScheduler, work: number) {
  return (record: AuditRecord): Observable<never> =>
    record.type === 'page' ? scheduler.createColdObservable<never>(`${'-'.repeat(work)}|`) : EMPTY;
}

const tag = (record: AuditRecord): string =>
  record.type === 'page' ? `page ${record.page}` : record.type;

describe('auditPermissions$ backpressure (marbles)', () => {
  it.each([
    { latency: 2, work: 5 },
    { latency: 2, work: 30 },
    { latency: 10, work: 1 },
  ])(
    'requests the next page only when the consumer has processed the last (latency $latency, work $work)',
    ({ latency, work }) => {
      const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
      const { client, requests } = stubClient(scheduler, pagesOf(3, 2), latency);
      const seen: Array<[frame: number, record: string]> = [];
      scheduler.run(() => {
        auditPermissions$([CHECKPOINT], {
          client,
          concurrency: 1,
          limit: 2,
          process: consumer(scheduler, work),
        }).subscribe((record) => seen.push([scheduler.now(), tag(record)]));
      });
      // Each page arrives `latency` frames after its request; its permission records pass at
      // once, its page record after `work` frames; only then is the next page requested.
      const cycle = latency + work;
      expect(seen).toEqual([
        [latency, 'permission'],
        [latency, 'permission'],
        [cycle, 'page 1'],
        [cycle + latency, 'permission'],
        [cycle + latency, 'permission'],
        [2 * cycle, 'page 2'],
        [2 * cycle + latency, 'permission'],
        [2 * cycle + latency, 'permission'],
        [3 * cycle, 'page 3'],
        [3 * cycle, 'checkpoint'],
        [3 * cycle, 'summary'],
      ]);
      expect(requests).toEqual([
        { at: 0, after: undefined },
        { at: latency + work, after: 'cp_1' },
        { at: 2 * (latency + work), after: 'cp_3' },
      ]);
    },
  );

  it('keeps at most `concurrency` checkpoints requesting, each pulled by its own consumer', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const { client, requests } = stubClient(scheduler, pagesOf(2, 1), 3);
    let summaryAt = -1;
    scheduler.run(() => {
      auditPermissions$([`${CHECKPOINT}:a`, `${CHECKPOINT}:b`, `${CHECKPOINT}:c`], {
        client,
        concurrency: 2,
        limit: 1,
        process: consumer(scheduler, 10),
      }).subscribe((record) => record.type === 'summary' && (summaryAt = scheduler.now()));
    });
    // a and b start together; each asks for its second page 3 + 10 frames later; c starts only
    // when a (or b) has finished both pages: 2 × 13 frames.
    expect(requests.map((r) => r.at)).toEqual([0, 0, 13, 13, 26, 39]);
    expect(summaryAt).toBe(52);
  });
});
