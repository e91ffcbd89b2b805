import { readdirSync, readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

/** The calling thread's id in the OS (Linux: /proc/thread-self links to <pid>/task/<tid>); undefined elsewhere. */
export function osThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When CPU is short, acks and health probes go first: every thread of this process but `keep`
 * (the one receiving Slack's requests) drops below normal priority. That is the main thread
 * writing answers and also V8's collector threads, which otherwise compete with the receiving
 * thread at normal priority. Threads started later inherit their creator's priority.
 * Linux keeps a nice value per thread and os.setPriority takes a thread id; without /proc
 * (or `keep`) only the calling thread is lowered, and where that fails nothing changes.
 */
export function yieldCpuTo(keep: number | undefined): void {
  let threads: number[] = [0];
  if (keep !== undefined) {
    try {
      threads = readdirSync('/proc/self/task')
        .map(Number)
        .filter((tid) => tid !== keep);
    } catch {}
  }
  for (const tid of threads) {
    try {
      setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
    } catch {}
  }
}
