import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * A scheduler whose clock moves only when the test says so, for code that mixes real I/O (which
 * `TestScheduler` cannot make virtual) with timers (timeouts, backoff, pacing).
 */
export class ManualScheduler implements SchedulerLike {
  #now = 0;
  #actions: Array<{ at: number; run: () => void; sub: Subscription }> = [];

  now(): number {
    return this.#now;
  }

  schedule<T>(
    work: (this: SchedulerAction<T>, state?: T) => void,
    delay = 0,
    state?: T,
  ): Subscription {
    const sub = new Subscription(() => this.#drop(sub));
    // The action `this` of RxJS's own schedulers: a subscription that can reschedule itself
    // (`this.schedule(state, delay)`, as `interval` and the retry timers do: it replaces any run
    // still pending, like AsyncAction) or end itself (`this.unsubscribe()`).
    const action = Object.assign(sub, {
      schedule: (nextState?: T, nextDelay = 0): Subscription => {
        if (sub.closed) return sub;
        this.#drop(sub);
        const run = (): void => work.call(action as unknown as SchedulerAction<T>, nextState);
        this.#actions.push({ at: this.#now + nextDelay, run, sub });
        return sub;
      },
    });
    return action.schedule(state, delay);
  }

  #drop(sub: Subscription): void {
    this.#actions = this.#actions.filter((a) => a.sub !== sub);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.#actions.length;
  }

  /** Runs the earliest pending action, moving the clock to its time; false when none is left. */
  runNext(): boolean {
    const due = [...this.#actions].sort((a, b) => a.at - b.at)[0];
    if (!due) return false;
    this.#actions = this.#actions.filter((a) => a !== due);
    this.#now = Math.max(this.#now, due.at);
    due.run();
    return true;
  }

  /** Moves the clock forward by `ms`, running every action that falls due, in time order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#actions.filter((a) => a.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#actions = this.#actions.filter((a) => a !== due);
      this.#now = Math.max(this.#now, due.at);
      due.run();
    }
    this.#now = until;
  }
}
