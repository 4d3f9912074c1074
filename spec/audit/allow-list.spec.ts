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

  it('allows nothing when empty', () => {
    expect(compileAllowList({}).isAllowed('ft:a', 'proj_a')).toBe(false);
  });

  it.each([
    [null, 'allow'],
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
