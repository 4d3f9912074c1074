import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/internal/retry/retry-budget.js';

// The AWS SDK's retry quota (@smithy/util-retry constants, and getDefaultRetryQuota in
// @aws-sdk/middleware-retry): INITIAL_RETRY_TOKENS 500, RETRY_COST 5, TIMEOUT_RETRY_COST 10,
// NO_RETRY_INCREMENT 1; a retry is allowed while its cost <= the tokens left; a success puts
// back the last retry's cost (or 1) and the balance never exceeds the initial capacity.
describe('RetryBudget', () => {
  it('has the AWS constants', () => {
    expect(RetryBudget.RETRY_COST).toBe(5);
    expect(RetryBudget.TIMEOUT_RETRY_COST).toBe(10);
    expect(RetryBudget.SUCCESS_REFUND).toBe(1);
  });

  it('starts full', () => {
    const budget = new RetryBudget(500);
    expect(budget.capacity).toBe(500);
    expect(budget.tokens).toBe(500);
  });

  it.each([
    // [timeout?, tokens after one spend]
    [false, 495],
    [true, 490],
  ])('a retry after timeout=%s costs down to %d', (timeout, left) => {
    const budget = new RetryBudget(500);
    expect(budget.trySpend(timeout)).toBe(true);
    expect(budget.tokens).toBe(left);
  });

  it('allows exactly 100 ordinary retries from 500 tokens, then refuses', () => {
    const budget = new RetryBudget(500);
    let allowed = 0;
    while (budget.trySpend(false)) allowed++;
    expect(allowed).toBe(100); // 500 / 5
    expect(budget.tokens).toBe(0);
    expect(budget.trySpend(false)).toBe(false);
    expect(budget.tokens).toBe(0);
  });

  it('allows exactly 50 retries after timeouts from 500 tokens', () => {
    const budget = new RetryBudget(500);
    let allowed = 0;
    while (budget.trySpend(true)) allowed++;
    expect(allowed).toBe(50); // 500 / 10
  });

  it.each([
    // [tokens left, timeout?, allowed?] — allowed when cost <= tokens; nothing taken otherwise
    [5, false, true],
    [4, false, false],
    [10, true, true],
    [9, true, false],
    [9, false, true],
  ])('with %d tokens left, a retry (timeout=%s) is allowed: %s', (left, timeout, allowed) => {
    const exact = new RetryBudget(left);
    expect(exact.trySpend(timeout)).toBe(allowed);
    expect(exact.tokens).toBe(allowed ? left - (timeout ? 10 : 5) : left);
  });

  it.each([
    // [last retry cost passed to refund, tokens after (from 480)]
    [0, 481], // a first-time success earns NO_RETRY_INCREMENT
    [5, 485], // a success after a retry returns that retry's cost
    [10, 490], // ...or a timeout retry's
  ])('refund(%d) from 480 tokens -> %d', (cost, after) => {
    const budget = new RetryBudget(500);
    for (let i = 0; i < 4; i++) budget.trySpend(false); // 500 - 4 * 5 = 480
    expect(budget.tokens).toBe(480);
    budget.refund(cost);
    expect(budget.tokens).toBe(after);
  });

  it.each([[0], [5], [10]])('never refills above capacity (refund(%d) when full)', (cost) => {
    const budget = new RetryBudget(500);
    budget.refund(cost);
    expect(budget.tokens).toBe(500);
  });

  it('caps a refund that would overshoot', () => {
    const budget = new RetryBudget(500);
    budget.trySpend(false); // 495
    budget.refund(10); // 505 -> 500
    expect(budget.tokens).toBe(500);
  });

  it('recovers from a drained state one success at a time', () => {
    const budget = new RetryBudget(500);
    while (budget.trySpend(false));
    expect(budget.trySpend(false)).toBe(false);
    for (let i = 0; i < 4; i++) budget.refund(0);
    expect(budget.tokens).toBe(4);
    expect(budget.trySpend(false)).toBe(false);
    budget.refund(0);
    expect(budget.trySpend(false)).toBe(true); // 5 tokens: exactly one retry
    expect(budget.tokens).toBe(0);
  });

  it('keeps separate budgets separate', () => {
    const a = new RetryBudget(500);
    const b = new RetryBudget(500);
    a.trySpend(true);
    expect(a.tokens).toBe(490);
    expect(b.tokens).toBe(500);
  });

  it('hands over what it spent and earned since the last sync, and adopts a shared balance', () => {
    const budget = new RetryBudget(500);
    budget.trySpend(false); // -5
    budget.trySpend(true); // -10
    budget.refund(0); // +1
    expect(budget.takeUnsynced()).toBe(-14);
    expect(budget.takeUnsynced()).toBe(0);
    budget.trySpend(false); // -5, not handed over yet
    // Another process spent 100: the shared balance, which includes the -14, is 386.
    budget.sync(386);
    expect(budget.tokens).toBe(381);
    expect(budget.takeUnsynced()).toBe(-5);
  });

  it('counts only what a capped refund really added', () => {
    const budget = new RetryBudget(500);
    budget.refund(5);
    expect(budget.takeUnsynced()).toBe(0);
  });
});
