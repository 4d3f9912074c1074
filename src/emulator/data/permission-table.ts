import type { CheckpointPermission } from '../api-types.js';
import { compareKeys, type SortKey } from './page.js';

/**
 * One checkpoint's permissions, kept sorted by `(created_at, id)` so a page is a binary search
 * and a slice. It remembers the key of every id it ever held: a client paging while another
 * deletes the permission its cursor points at must still get the rest of the list.
 *
 * @example
 * const table = new PermissionTable([]);
 * table.insert({ object: 'checkpoint.permission', id: 'cp_1', created_at: 1, project_id: 'proj_1' });
 * table.keyOf('cp_1'); // { created_at: 1, id: 'cp_1' }, even after table.delete('cp_1')
 */
export class PermissionTable {
  readonly #sorted: CheckpointPermission[];
  /** Every permission ever held here, deleted ones included: their keys are tombstones. */
  readonly #seen = new Map<string, CheckpointPermission>();
  readonly #deleted = new Set<string>();

  constructor(permissions: readonly CheckpointPermission[]) {
    this.#sorted = [...permissions];
    if (!isSorted(this.#sorted)) this.#sorted.sort(compareKeys);
    for (const permission of this.#sorted) this.#seen.set(permission.id, permission);
  }

  /** The live permissions, ascending. Callers must not mutate it. */
  get sorted(): readonly CheckpointPermission[] {
    return this.#sorted;
  }

  /** The sort key of a live or deleted permission id, to resume a cursor from. */
  keyOf(id: string): SortKey | undefined {
    return this.#seen.get(id);
  }

  /** Whether an id was ever used here, so new ids never collide with tombstones. */
  has(id: string): boolean {
    return this.#seen.has(id);
  }

  /** The oldest live permission of a project, if any. */
  findProject(projectId: string): CheckpointPermission | undefined {
    return this.#sorted.find((permission) => permission.project_id === projectId);
  }

  /** Adds a permission at its sorted position (O(n) for the splice; writes are rare). */
  insert(permission: CheckpointPermission): void {
    let index = this.#sorted.length;
    while (index > 0 && compareKeys(this.#sorted[index - 1] as SortKey, permission) > 0) index--;
    this.#sorted.splice(index, 0, permission);
    this.#seen.set(permission.id, permission);
  }

  /** Removes a live permission, keeping its key as a tombstone; `undefined` if not live. */
  delete(id: string): CheckpointPermission | undefined {
    const permission = this.#seen.get(id);
    if (!permission || this.#deleted.has(id)) return undefined;
    this.#deleted.add(id);
    this.#sorted.splice(this.#sorted.indexOf(permission), 1);
    return permission;
  }
}

function isSorted(items: readonly SortKey[]): boolean {
  for (let i = 1; i < items.length; i++) {
    if (compareKeys(items[i - 1] as SortKey, items[i] as SortKey) > 0) return false;
  }
  return true;
}
