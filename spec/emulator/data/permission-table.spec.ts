import { describe, expect, it } from 'vitest';
import type { CheckpointPermission } from '../../../src/emulator/index.js';
import { PermissionTable } from '../../../src/emulator/data/permission-table.js';

const permission = (id: string, created_at: number, project_id = `proj_${id}`) =>
  ({ object: 'checkpoint.permission', id, created_at, project_id }) satisfies CheckpointPermission;

describe('PermissionTable', () => {
  it('sorts what it is given by (created_at, id)', () => {
    const table = new PermissionTable([permission('b', 2), permission('c', 1), permission('a', 2)]);
    expect(table.sorted.map((p) => p.id)).toEqual(['c', 'a', 'b']);
  });

  it('inserts at the sorted position, ties included', () => {
    const table = new PermissionTable([permission('a', 1), permission('c', 3)]);
    table.insert(permission('b', 3));
    table.insert(permission('d', 2));
    table.insert(permission('e', 9));
    expect(table.sorted.map((p) => p.id)).toEqual(['a', 'd', 'b', 'c', 'e']);
  });

  it('keeps the key of a deleted id as a tombstone', () => {
    const table = new PermissionTable([permission('a', 1), permission('b', 2)]);
    expect(table.delete('a')?.id).toBe('a');
    expect(table.sorted.map((p) => p.id)).toEqual(['b']);
    expect(table.keyOf('a')).toMatchObject({ created_at: 1, id: 'a' });
    expect(table.has('a')).toBe(true);
    expect(table.delete('a')).toBeUndefined();
    expect(table.delete('zzz')).toBeUndefined();
    expect(table.keyOf('zzz')).toBeUndefined();
  });

  it('finds the oldest live permission of a project', () => {
    const table = new PermissionTable([
      permission('b', 2, 'proj_x'),
      permission('a', 1, 'proj_x'),
      permission('c', 3, 'proj_y'),
    ]);
    expect(table.findProject('proj_x')?.id).toBe('a');
    table.delete('a');
    expect(table.findProject('proj_x')?.id).toBe('b');
    expect(table.findProject('proj_z')).toBeUndefined();
  });
});
