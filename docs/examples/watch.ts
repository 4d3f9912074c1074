import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createClient,
  permissionChanges$,
  type PermissionChange,
  type WatchState,
} from 'rx-checkpoint-permissions';
import { lastValueFrom, takeWhile, tap } from 'rxjs';

/**
 * Follows the permissions of some checkpoints as they change, from a saved position when there
 * is one, until `done` says so; returns what it saw. Each state is saved as it comes, so a
 * restart reports what happened meanwhile, and nothing twice. (The CLI's `watch --state` writes
 * it atomically: temp file, fsync, rename.)
 */
export async function followChanges(
  checkpoints: readonly string[],
  statePath: string,
  done: (change: PermissionChange) => boolean,
  interval = 60_000,
): Promise<PermissionChange[]> {
  const client = createClient(); // OPENAI_ADMIN_KEY: the audit log takes an admin key
  const saved = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, 'utf8')) as WatchState)
    : undefined;
  const seen: PermissionChange[] = [];
  try {
    await lastValueFrom(
      permissionChanges$(checkpoints, {
        client,
        interval,
        ...(saved ? { state: saved } : {}),
        onState: (state) => writeFileSync(statePath, JSON.stringify(state)),
      }).pipe(
        tap((change) => seen.push(change)),
        takeWhile((change) => !done(change), true),
      ),
      { defaultValue: undefined },
    );
    return seen;
  } finally {
    await client.close();
  }
}
