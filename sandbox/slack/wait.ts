import type { EventEmitter } from 'node:events';
import type { SimCall } from './types.js';

/**
 * Resolves with the predicate's first value other than undefined/false/null, re-checking on every
 * 'change' and 'call' of the emitter, and every 25 ms for predicates over state outside the sim
 * (e.g. what a bot recorded after acking); rejects after timeoutMs (default 15 s: a bound on a hang, generous for a busy machine) naming `what` and listing
 * recent calls, which is usually the fastest clue to why a bot did not do what a test expected.
 * `waiters` lets the owner reject pending waits when it closes.
 */
export function waitForCondition<T>(
  emitter: EventEmitter,
  calls: () => SimCall[],
  waiters: Set<(err: Error) => void>,
  predicate: () => T | undefined | false | null,
  opts: { timeoutMs?: number; what?: string },
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      clearInterval(poll);
      emitter.off('change', check);
      emitter.off('call', check);
      waiters.delete(abort);
    };
    const abort = (err: Error) => {
      finish();
      reject(err);
    };
    const check = () => {
      let v: T | undefined | false | null;
      try {
        v = predicate();
        // A promise is always truthy: the wait would end at once, having checked nothing.
        if (v instanceof Promise)
          throw new Error('waitFor takes a synchronous predicate (use until() for async checks)');
      } catch (err) {
        abort(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (v !== undefined && v !== false && v !== null) {
        finish();
        resolve(v);
      }
    };
    const timer = setTimeout(() => {
      const recent = calls()
        .slice(-10)
        .map((c) => `${c.method}${c.ok ? '' : ` (${c.error})`}`)
        .join(', ');
      const what = opts.what ?? 'condition';
      abort(
        new Error(
          `SlackSim.waitFor: timed out after ${timeoutMs} ms waiting for ${what}; recent calls: ${recent || 'none'}`,
        ),
      );
    }, timeoutMs);
    const poll = setInterval(check, 25);
    waiters.add(abort);
    emitter.on('change', check);
    emitter.on('call', check);
    check();
  });
}
