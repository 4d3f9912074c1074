import type { ListPage } from '../internal/http/list-page.js';
import { parseListPage } from '../internal/http/list-page.js';
import type { ShapeCheck } from '../internal/http/shape.js';

/**
 * A project of the organization: the spec's `Project` (`GET /organization/projects`), the fields
 * an audit uses to name and flag grantees. Only `id`, `object` and `created_at` are required by
 * the spec; fields not declared here pass through untouched.
 *
 * @example
 * ```ts
 * projects$({ client, includeArchived: true })
 *   .pipe(concatMap((page) => page.data))
 *   .subscribe((p: Project) => console.log(p.id, p.name ?? '(no name)', p.status ?? 'unknown'));
 * ```
 */
export interface Project {
  readonly object: 'organization.project';
  /** `proj_…`: what permissions name in `project_id`. */
  readonly id: string;
  /** The name shown in the dashboard and in reports. */
  readonly name?: string | null;
  /** Unix seconds. */
  readonly created_at: number;
  /** Unix seconds, or `null` while the project is active. */
  readonly archived_at?: number | null;
  /** `'active'` or `'archived'`. */
  readonly status?: string | null;
  readonly [field: string]: unknown;
}

/** Checks one `Project`: the required fields, and the optional ones an audit reads. */
export function parseProject(item: unknown, path: string, check: ShapeCheck): Project {
  const project = check.object(item, path);
  check.string(project, 'id', path);
  check.literal(project, 'object', 'organization.project', path);
  check.integer(project, 'created_at', path);
  check.optionalString(project, 'name', path);
  check.optionalInteger(project, 'archived_at', path);
  check.optionalString(project, 'status', path);
  return project as unknown as Project;
}

/** Checks a `ProjectListResponse` body. */
export const parseProjectsPage = (
  body: unknown,
  requestID: string | undefined,
): ListPage<Project> => parseListPage(body, requestID, parseProject);
