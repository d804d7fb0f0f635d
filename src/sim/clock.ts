/**
 * The clock the control plane runs on: `now()` in seconds on the run's own time line (0 = the
 * rollout starts) and `at(time, fn)` to run `fn` at `time`. The Monte Carlo simulator injects a
 * {@link VirtualClock} (an event queue: time jumps from one event to the next), the lab a
 * {@link RealClock} (timers on the machine's monotonic clock). The controllers never read any
 * other clock, so the same code decides in both.
 */
import { EventQueue } from './queue.js';

export interface Clock {
  /** Seconds since the rollout started (negative before it). */
  now(): number;
  /** Runs `fn` at `time` (at once, in order, when `time` is not in the future). */
  at(time: number, fn: () => void): void;
}

interface Scheduled {
  readonly time: number;
  readonly fn: () => void;
}

/** Discrete-event time: `step()` jumps to the next event and runs it; ties keep insertion order. */
export class VirtualClock implements Clock {
  private readonly queue = new EventQueue<Scheduled>();
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(time: number, fn: () => void): void {
    this.queue.push({ time, fn });
  }

  /** Time of the next event, undefined when none is left. */
  next(): number | undefined {
    return this.queue.peek()?.time;
  }

  /** Moves to the next event and runs it. */
  step(): void {
    const ev = this.queue.pop();
    if (!ev) return;
    this.current = ev.time;
    ev.fn();
  }

  /** Sets the time without an event (a run cut at its limit). */
  set(time: number): void {
    this.current = time;
  }
}

/**
 * Real time: `now()` is the seconds since `origin` on the monotonic clock (performance.now);
 * `at` is a timer. `stop()` cancels every pending timer and ignores later `at` calls.
 */
export class RealClock implements Clock {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;

  /** `originMs`: the performance.now() value that is time 0. */
  constructor(private originMs: number) {}

  /** Moves time 0 by `seconds` later: `now()` drops by that much; pending timers keep their moment. */
  shift(seconds: number): void {
    this.originMs += seconds * 1000;
  }

  now(): number {
    return (performance.now() - this.originMs) / 1000;
  }

  at(time: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, Math.max(0, (time - this.now()) * 1000));
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
