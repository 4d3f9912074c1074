import { concatMap, lastValueFrom, toArray } from 'rxjs';
import type { Client } from '../client/create-client.js';
import { APIError, ProtocolError } from '../errors.js';
import { projects$ } from '../resources/projects.js';
import type { Project } from '../resources/project.js';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import type { Warn } from './key-files.js';
import { terminalSafe } from './terminal-text.js';

/**
 * Every project of the organization, archived ones included (a grant to an archived project
 * still stands), listed once per run so that each permission can name its grantee and flag an
 * archived one. A rejected admin key stops the run (78), as it would at the first permission
 * anyway, and so does an answer that is not the API's (a wrong `--base-url`); any other failure
 * is a one-line warning and the report goes on without names.
 *
 * @example
 * ```ts
 * const projects = await listProjects(client, (line) => process.stderr.write(line));
 * auditPermissions$(checkpoints, { client, projects });
 * ```
 */
export async function listProjects(client: Client, warn: Warn): Promise<Project[] | undefined> {
  try {
    return await lastValueFrom(
      projects$({ client, includeArchived: true, limit: 100 }).pipe(
        concatMap((page) => page.data),
        toArray(),
      ),
    );
  } catch (error) {
    // Not the API at all (a wrong --base-url): nothing else will work either.
    if (error instanceof ProtocolError) throw error;
    if (error instanceof APIError && (error.status === 401 || error.status === 403)) {
      throw new CliError(
        ExitCode.Config,
        `The API rejected the key (${error.status}) listing the projects: ${error.message}. The permission and organization endpoints need an admin key (--admin-key-file, OPENAI_ADMIN_KEY).`,
        { cause: error },
      );
    }
    warn(
      `checkpoint-permissions: warning: cannot list the projects (${terminalSafe((error as Error).message ?? String(error))}); the report goes on without project names or archived flags.\n`,
    );
    return undefined;
  }
}
