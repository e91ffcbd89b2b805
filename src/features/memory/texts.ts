/**
 * What the channel memory says, in the asker's language (the table in ../language.ts). Facts are
 * shown escaped (escapeMrkdwn): they never ping or link.
 */
import { escapeMrkdwn } from '../../slack/write/format.js';
import type { MemoryTexts } from '../language.js';
import { type Fact, MAX_FACT_CHARS, MAX_FACTS } from './facts.js';

/** The memory's replies with its limits filled in: what `run` tells the person. */
export function memoryText(t: MemoryTexts) {
  return {
    remembered: (n: number) => t.remembered(n, MAX_FACTS),
    already: t.already,
    empty: t.empty,
    tooLong: (chars: number) => t.tooLong(chars, MAX_FACT_CHARS),
    full: t.full(MAX_FACTS),
    nothing: t.nothing,
    forgotAll: t.forgotAll,
    forgot: (text: string) => t.forgot(escapeMrkdwn(text)),
    notFound: t.notFound,
    which: t.which,
    off: t.off,
    notMember: t.notMember,
    unverified: t.unverified,
    failed: t.failed,
    unavailable: t.unavailable,
  };
}

/** The numbered list of a channel's facts, with who taught each and when. */
export function factList(facts: readonly Fact[], nameOf: (userId: string) => string, t: MemoryTexts): string {
  const lines = facts.map(
    (f, i) => `${i + 1}. ${escapeMrkdwn(f.text)} _(${escapeMrkdwn(nameOf(f.by))}, ${f.at})_`,
  );
  return `${t.listHead(facts.length, MAX_FACTS)}\n${lines.join('\n')}\n${t.listFoot}`;
}
