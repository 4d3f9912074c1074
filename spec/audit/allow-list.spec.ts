import { describe, expect, it } from 'vitest';
import { compileAllowList } from '../../src/audit/allow-list.js';
import { ConfigError } from '../../src/errors.js';

describe('compileAllowList', () => {
  const policy = compileAllowList({
    projects: ['proj_everywhere'],
    checkpoints: { 'ft:a': ['proj_only_a'], 'ft:b': new Set(['proj_only_b']) },
  });

  it.each([
    ['ft:a', 'proj_everywhere', true],
    ['ft:z', 'proj_everywhere', true],
    ['ft:a', 'proj_only_a', true],
    ['ft:b', 'proj_only_a', false],
    ['ft:b', 'proj_only_b', true],
    ['ft:z', 'proj_stranger', false],
  ])('%s / %s -> %s', (checkpoint, project, allowed) => {
    expect(policy.isAllowed(checkpoint, project)).toBe(allowed);
  });

  it('allows nothing when empty on purpose (allowEmpty)', () => {
    expect(compileAllowList({}, { allowEmpty: true }).isAllowed('ft:a', 'proj_a')).toBe(false);
  });

  it.each([
    ['{}', {}],
    ['no project anywhere', { projects: [], checkpoints: {} }],
    ['only empty per-checkpoint lists', { checkpoints: { 'ft:a': [] } }],
  ])('refuses an allow-list that allows no project (%s) unless allowEmpty', (_, allow) => {
    expect(() => compileAllowList(allow)).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'allow' }),
    );
    expect(() => compileAllowList(allow)).toThrow(/allows no project.*allowEmpty: true/);
    expect(compileAllowList(allow, { allowEmpty: true }).isAllowed('ft:a', 'proj_a')).toBe(false);
  });

  it('refuses a misspelled key, naming it and the accepted ones', () => {
    expect(() => compileAllowList({ projets: ['proj_a'] } as never)).toThrow(
      expect.objectContaining({
        option: 'allow.projets',
        message: expect.stringMatching(/projets.*projects, checkpoints/) as unknown,
      }),
    );
  });

  it.each([
    [null, 'allow'],
    [[], 'allow'],
    [['proj_a'], 'allow'],
    [42, 'allow'],
    ['proj_a', 'allow'],
    [{ projects: ['proj_a'], checkpoints: ['proj_b'] }, 'allow.checkpoints'],
    [{ projects: ['proj_a'], checkpoints: null }, 'allow.checkpoints'],
    [{ projects: 'proj_a' }, 'allow.projects'],
    [{ projects: [1] }, 'allow.projects'],
    [{ checkpoints: { 'ft:a': [''] } }, 'allow.checkpoints["ft:a"]'],
  ])('rejects %j naming %s', (allow, option) => {
    try {
      compileAllowList(allow as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe(option);
    }
  });
});
