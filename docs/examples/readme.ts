import { createClient, permissions$ } from 'rx-checkpoint-permissions';
import { lastValueFrom, mergeMap, reduce } from 'rxjs';

/** Which projects can use this checkpoint? Key and URL come from OPENAI_ADMIN_KEY / OPENAI_BASE_URL. */
export async function projectsWithAccess(checkpoint: string): Promise<Set<string>> {
  const client = createClient();
  try {
    return await lastValueFrom(
      permissions$(checkpoint, { client, limit: 100 }).pipe(
        mergeMap((page) => page.data),
        reduce((ids, permission) => ids.add(permission.project_id), new Set<string>()),
      ),
    );
  } finally {
    await client.close(); // releases its keep-alive connections
  }
}
