/**
 * One decode at a time per process: an image scaled or a PDF parsed holds tens of megabytes while
 * it runs, so a burst of files costs one file's worth at once, not one per question.
 */
let decoding: Promise<unknown> = Promise.resolve();

/** Runs `work` once every decode started before it has ended. */
export function oneDecodeAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = decoding.then(work, work);
  decoding = run.catch(() => {});
  return run;
}
