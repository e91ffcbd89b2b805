import type { ReplySink } from '../../slack/write/reply.js';

/**
 * The reply of a question this process may stop writing: once `quiet()` (the question was taken
 * over by another replica, or handed back at shutdown) nothing more is written. `note` opens the
 * first text (an answer continued after a restart); `onFirstText` hears when the first text comes.
 */
export function guardedReply(
  sink: Required<ReplySink>,
  opts: { quiet: () => boolean; note: string; onFirstText: () => void },
): ReplySink {
  const { quiet } = opts;
  let note = opts.note;
  let first = true;
  const unlessQuiet =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    (...args: A) =>
      quiet() ? Promise.resolve() : write(...args);
  return {
    thinking: unlessQuiet((s?: string) => sink.thinking(s)),
    finish: unlessQuiet(() => sink.finish()),
    fail: unlessQuiet((t: string) => sink.fail(t)),
    stopped: unlessQuiet(() => sink.stopped()),
    title: unlessQuiet((t: string) => sink.title(t)),
    allowMentions: (ids, nameOf) => sink.allowMentions(ids, nameOf),
    speak: (texts) => sink.speak(texts),
    footnote: (text) => {
      if (!quiet()) sink.footnote(text);
    },
    offerFeedback: (profile) => {
      if (!quiet()) sink.offerFeedback(profile);
    },
    append: (d) => {
      if (quiet()) return;
      if (first) opts.onFirstText();
      first = false;
      sink.append(note + d);
      note = '';
    },
  };
}
