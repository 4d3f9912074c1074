import { chaosEverywhere, startEmulator, type Emulator } from 'rx-checkpoint-permissions/emulator';
import {
  createClient,
  permissionItems$,
  type Client,
  type Permission,
} from 'rx-checkpoint-permissions';
import { filter, lastValueFrom, map, toArray, type OperatorFunction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** The code under test: your own operator, the projects that should not have access. */
function outsiders(allowed: ReadonlySet<string>): OperatorFunction<Permission, string> {
  return (permissions) =>
    permissions.pipe(
      filter((permission) => !allowed.has(permission.project_id)),
      map((permission) => permission.project_id),
    );
}

describe('outsiders', () => {
  let emulator: Emulator;
  let client: Client;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 42 }); // port 0, 127.0.0.1 only, a seeded organization
    client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      initialRetryDelay: 5,
    });
  });
  afterEach(() => emulator.setChaos({}));
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it('finds every project outside the allow-list, compared with the emulator’s ground truth', async () => {
    const [checkpoint, permissions] = Object.entries(emulator.truth().permissions).find(
      ([, list]) => list.length > 20,
    )!;
    const allowed = new Set(permissions.slice(0, 10).map((p) => p.project_id));
    const expected = permissions.filter((p) => !allowed.has(p.project_id)).map((p) => p.project_id);

    const found = await lastValueFrom(
      permissionItems$(checkpoint, { client }).pipe(outsiders(allowed), toArray()),
    );

    expect(found.sort()).toEqual(expected.sort());
  });

  it('still finds them all when a fifth of the requests fail', async () => {
    emulator.setChaos(chaosEverywhere(0.2)); // 500s, HTML 502s, 503s, resets, cut-off bodies
    const [checkpoint, permissions] = Object.entries(emulator.truth().permissions).find(
      ([, list]) => list.length > 20,
    )!;

    const found = await lastValueFrom(
      permissionItems$(checkpoint, { client }).pipe(outsiders(new Set()), toArray()),
    );

    expect(found).toHaveLength(permissions.length);
  });

  it('passes values through with their timing (a marble test, in virtual time)', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const grant = (project_id: string): Permission => ({
        object: 'checkpoint.permission',
        id: `cp_${project_id}`,
        created_at: 0,
        project_id,
      });
      const source = cold('-a--b--c|', {
        a: grant('proj_ok'),
        b: grant('proj_rogue'),
        c: grant('proj_ok'),
      });
      expectObservable(source.pipe(outsiders(new Set(['proj_ok'])))).toBe('----b---|', {
        b: 'proj_rogue',
      });
    });
  });
});
