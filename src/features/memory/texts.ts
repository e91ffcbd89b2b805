/** What the channel memory says. Facts are shown escaped (escapeMrkdwn): they never ping or link. */
import { escapeMrkdwn } from '../../slack/write/format.js';
import { type Fact, MAX_FACT_CHARS, MAX_FACTS } from './facts.js';

export const MEMORY_TEXT = {
  remembered: (n: number) =>
    `:memo: Got it: I’ll remember that in this channel (fact ${n} of at most ${MAX_FACTS}). Say “what do you remember?” to see them, “forget ${n}” to remove it.`,
  already: (n: number) => `I already remember that (fact ${n}).`,
  empty: 'What should I remember? Mention me with “remember that …” and the fact.',
  tooLong: (chars: number) =>
    `That is too long to remember (${chars.toLocaleString('en-US')} characters; at most ${MAX_FACT_CHARS}). Please shorten it.`,
  full: `I already remember ${MAX_FACTS} facts in this channel, the most I keep. Say “forget <number>” to make room (“what do you remember?” lists them).`,
  nothing:
    'I don’t remember anything in this channel yet. Mention me with “remember that …” to teach me a fact.',
  forgotAll: (n: number) => `:wastebasket: Forgotten: all ${n} fact${n === 1 ? '' : 's'} of this channel.`,
  forgot: (text: string) => `:wastebasket: Forgotten: “${escapeMrkdwn(text)}”`,
  notFound: 'I don’t remember anything like that here. Say “what do you remember?” for the numbered list.',
  which: (numbers: number[]) =>
    `Several facts match: ${numbers.join(', ')}. Say “forget <number>” to remove one.`,
  off: 'Channel memory is turned off in this channel.',
  notMember: 'Only members of this channel can see or change what I remember here.',
  unverified:
    'I could not check with Slack that you are a member of this channel, so I left my memory as it was. Please try again later.',
  failed: ':warning: I could not reach my memory just now. Please try again in a moment.',
  unavailable:
    ':warning: My memory of this channel is unavailable: what I keep it in could not be read. I changed nothing, and the facts it holds are not deleted. Please tell whoever runs this bot (its log names the problem).',
};

/** The numbered list of a channel's facts, with who taught each and when. */
export function factList(facts: readonly Fact[], nameOf: (userId: string) => string): string {
  const lines = facts.map(
    (f, i) => `${i + 1}. ${escapeMrkdwn(f.text)} _(${escapeMrkdwn(nameOf(f.by))}, ${f.at})_`,
  );
  return `What I remember in this channel (${facts.length} of at most ${MAX_FACTS}):\n${lines.join('\n')}\n_“forget <number>” removes one._`;
}
