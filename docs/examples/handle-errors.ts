import {
  APIError,
  NotFoundError,
  permissions$,
  RateLimitError,
  type Client,
} from 'rx-checkpoint-permissions';
import { catchError, EMPTY, lastValueFrom, mergeMap, toArray } from 'rxjs';

/** A checkpoint's permission ids; an unknown checkpoint has none, anything else is explained and rethrown. */
export async function permissionIdsOrNone(client: Client, checkpoint: string): Promise<string[]> {
  return await lastValueFrom(
    permissions$(checkpoint, { client }).pipe(
      mergeMap((page) => page.data.map((permission) => permission.id)),
      catchError((error: unknown) => {
        if (error instanceof NotFoundError) return EMPTY; // deleted, or never existed
        if (error instanceof RateLimitError) {
          console.warn(`still rate limited after retries (request ${error.requestID})`);
        } else if (error instanceof APIError) {
          console.warn(`${error.status ?? 'no response'}: ${error.message}`);
        }
        throw error;
      }),
      toArray(),
    ),
  );
}
