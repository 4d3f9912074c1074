import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../src/internal/schedule/fair-queue.js';

/** Pushes `[key, item]` pairs in order, then shifts until empty; returns the served order. */
function drain(pushes: ReadonlyArray<readonly [string, string]>): string[] {
  const queue = new FairQueue<string>();
  for (const [key, item] of pushes) queue.push(key, item);
  const served: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) served.push(item);
  return served;
}

describe('FairQueue', () => {
  it.each<[string, Array<[string, string]>, string[]]>([
    [
      'one key is plain FIFO',
      [
        ['a', 'a1'],
        ['a', 'a2'],
        ['a', 'a3'],
      ],
      ['a1', 'a2', 'a3'],
    ],
    [
      'two keys take turns',
      [
        ['a', 'a1'],
        ['a', 'a2'],
        ['b', 'b1'],
      ],
      ['a1', 'b1', 'a2'],
    ],
    [
      'three keys take turns in order of arrival',
      [
        ['a', 'a1'],
        ['a', 'a2'],
        ['b', 'b1'],
        ['b', 'b2'],
        ['c', 'c1'],
        ['a', 'a3'],
      ],
      ['a1', 'b1', 'c1', 'a2', 'b2', 'a3'],
    ],
    [
      'a late key joins the back of the rotation',
      [
        ['a', 'a1'],
        ['a', 'a2'],
        ['a', 'a3'],
        ['b', 'b1'],
        ['c', 'c1'],
        ['b', 'b2'],
      ],
      ['a1', 'b1', 'c1', 'a2', 'b2', 'a3'],
    ],
    [
      'the empty key is a key like any other',
      [
        ['', 'x1'],
        ['', 'x2'],
        ['k', 'k1'],
      ],
      ['x1', 'k1', 'x2'],
    ],
  ])('%s', (_name, pushes, served) => {
    expect(drain(pushes)).toEqual(served);
  });

  it('a flood from one key does not starve the others', () => {
    const pushes: Array<[string, string]> = [];
    for (let i = 0; i < 1_000; i++) pushes.push(['big', `big${i}`]);
    pushes.push(['a', 'a0'], ['b', 'b0']);
    const served = drain(pushes);
    expect(served.slice(0, 4)).toEqual(['big0', 'a0', 'b0', 'big1']);
    expect(served).toHaveLength(1_002);
  });

  it('a key that ran dry and comes back waits behind the keys already waiting', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('b', 'b2');
    expect(queue.shift()).toBe('a1'); // a is now empty
    queue.push('c', 'c1');
    queue.push('a', 'a2');
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual([
      'b1',
      'c1',
      'a2',
      'b2',
    ]);
  });

  it('counts its items and shifts undefined when empty', () => {
    const queue = new FairQueue<number>();
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
    queue.push('a', 1);
    queue.push('b', 2);
    queue.push('a', 3);
    expect(queue.size).toBe(3);
    queue.shift();
    expect(queue.size).toBe(2);
    queue.shift();
    queue.shift();
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  describe('remove', () => {
    const pushed: ReadonlyArray<readonly [string, string]> = [
      ['a', 'a1'],
      ['a', 'a2'],
      ['b', 'b1'],
      ['a', 'a3'],
    ];

    it.each<[string, [string, string], boolean, string[]]>([
      ['a waiting item', ['a', 'a2'], true, ['a1', 'b1', 'a3']],
      ['the head of a key', ['a', 'a1'], true, ['a2', 'b1', 'a3']],
      ['an item under another key', ['b', 'a2'], false, ['a1', 'b1', 'a2', 'a3']],
      ['an item never pushed', ['a', 'zz'], false, ['a1', 'b1', 'a2', 'a3']],
      ['from an unknown key', ['c', 'a1'], false, ['a1', 'b1', 'a2', 'a3']],
      ['the only item of a key, which leaves the rotation', ['b', 'b1'], true, ['a1', 'a2', 'a3']],
    ])('%s', (_name, [key, item], removed, served) => {
      const queue = new FairQueue<string>();
      for (const [k, i] of pushed) queue.push(k, i);
      expect(queue.remove(key, item)).toBe(removed);
      expect(queue.size).toBe(removed ? 3 : 4);
      const out: string[] = [];
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) out.push(next);
      expect(out).toEqual(served);
    });

    it('removes an item once', () => {
      const queue = new FairQueue<string>();
      queue.push('a', 'x');
      expect(queue.remove('a', 'x')).toBe(true);
      expect(queue.remove('a', 'x')).toBe(false);
      expect(queue.size).toBe(0);
    });

    it('does not take a served item back', () => {
      const queue = new FairQueue<string>();
      queue.push('a', 'x');
      queue.shift();
      expect(queue.remove('a', 'x')).toBe(false);
      expect(queue.size).toBe(0);
    });
  });

  describe('property, for any interleaving of push, shift and remove', () => {
    type Op =
      | { readonly op: 'push'; readonly key: string }
      | { readonly op: 'shift' }
      | { readonly op: 'remove'; readonly key: string; readonly nth: number };

    const key = fc.constantFrom('a', 'b', 'c', 'd');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: key.map((k) => ({ op: 'push' as const, key: k })) },
      { weight: 3, arbitrary: fc.constant({ op: 'shift' as const }) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(key, fc.nat({ max: 4 }))
          .map(([k, nth]) => ({ op: 'remove' as const, key: k, nth })),
      },
    );

    it('serves each key FIFO, counts right, and serves every continuously waiting key once between two turns of another', () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
          const queue = new FairQueue<string>();
          const model = new Map<string, string[]>(); // what is waiting, per key, in push order
          const keyOf = new Map<string, string>();
          const waitingAfter: Array<Map<string, number>> = []; // items per key after each op
          const services: Array<{ step: number; key: string }> = [];
          let serial = 0;

          ops.forEach((o, step) => {
            if (o.op === 'push') {
              const item = `${o.key}${serial++}`;
              keyOf.set(item, o.key);
              queue.push(o.key, item);
              model.set(o.key, [...(model.get(o.key) ?? []), item]);
            } else if (o.op === 'remove') {
              const items = model.get(o.key) ?? [];
              const item = items[o.nth] ?? `${o.key}-never-pushed`;
              expect(queue.remove(o.key, item)).toBe(items.includes(item));
              model.set(
                o.key,
                items.filter((i) => i !== item),
              );
            } else {
              const item = queue.shift();
              const total = [...model.values()].reduce((n, items) => n + items.length, 0);
              if (total === 0) {
                expect(item).toBeUndefined();
              } else {
                expect(item).toBeDefined();
                const served = keyOf.get(item as string) as string;
                const items = model.get(served) ?? [];
                // FIFO within the key: the oldest item still waiting under it.
                expect(item).toBe(items[0]);
                model.set(served, items.slice(1));
                services.push({ step, key: served });
              }
            }
            const counts = new Map([...model].map(([k, items]) => [k, items.length]));
            waitingAfter.push(counts);
            expect(queue.size).toBe([...counts.values()].reduce((a, b) => a + b, 0));
          });

          // Fairness: between two services of K (steps j < i), every other key L that had an item
          // waiting after every op from j to i - 1 was served at least once; exactly once if K
          // itself kept an item waiting all that time.
          const waitedThroughout = (k: string, from: number, to: number): boolean =>
            waitingAfter.slice(from, to).every((counts) => (counts.get(k) ?? 0) > 0);
          for (let s = 0; s < services.length; s++) {
            const current = services[s]!;
            const previous = services.slice(0, s).findLast((x) => x.key === current.key);
            if (!previous) continue;
            const between = services.filter((x) => x.step > previous.step && x.step < current.step);
            const kWaited = waitedThroughout(current.key, previous.step, current.step);
            for (const other of ['a', 'b', 'c', 'd']) {
              if (other === current.key) continue;
              if (!waitedThroughout(other, previous.step, current.step)) continue;
              const turns = between.filter((x) => x.key === other).length;
              expect(turns).toBeGreaterThanOrEqual(1);
              if (kWaited) expect(turns).toBe(1);
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
