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
 * Sets the priority of every thread of process `pid` ('self' for this one) but `keep`. Linux
 * keeps a nice value per thread and os.setPriority takes a thread id. Threads started later
 * inherit their creator's priority. Returns false without /proc (nothing was changed); a thread
 * whose priority cannot be changed is left as it is.
 */
export function setThreadPriorities(pid: number | 'self', priority: number, keep?: number): boolean {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return false;
  }
  for (const tid of threads) {
    if (tid === keep) continue;
    try {
      setPriority(tid, priority);
    } catch {}
  }
  return true;
}

/**
 * When CPU is short, acks and health probes go first: every thread of this process but `keep`
 * (the one receiving Slack's requests) drops below normal priority. That is the main thread
 * writing answers and also V8's collector threads, which otherwise compete with the receiving
 * thread at normal priority. Without /proc (or `keep`) only the calling thread is lowered, and
 * where that fails nothing changes.
 */
export function yieldCpuTo(keep: number | undefined): void {
  const below = constants.priority.PRIORITY_BELOW_NORMAL;
  if (keep !== undefined && setThreadPriorities('self', below, keep)) return;
  try {
    setPriority(0, below);
  } catch {}
}
