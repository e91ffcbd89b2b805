import type { types } from '@slack/bolt';
import { escapeMrkdwn } from '../../slack/write/format.js';

/** One channel's remembered facts, as the channel memory lists them. */
export interface ChannelFactsView {
  channel: string;
  facts: readonly { text: string; by: string; at: string }[];
}

/** Channels shown, and a section's text limit (Slack: 3,000 characters). */
const MAX_CHANNELS = 10;
const SECTION_CHARS = 2900;

/**
 * The Home tab's channel memory for the bot's admins: each channel's facts, numbered as its
 * members see them ("forget <number>" in the channel removes one). Facts are shown escaped.
 */
export function memoryBlocks(channels: readonly ChannelFactsView[]): types.KnownBlock[] {
  const header: types.SectionBlock = {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: channels.length
        ? '*Channel memory* (what members asked me to remember; they can remove a fact with “@me forget <number>”)'
        : '*Channel memory*: no channel has asked me to remember anything yet.',
    },
  };
  const shown = [...channels].sort((a, b) => b.facts.length - a.facts.length).slice(0, MAX_CHANNELS);
  const sections = shown.map((c): types.SectionBlock => {
    let text = `<#${c.channel}> · ${c.facts.length} fact${c.facts.length === 1 ? '' : 's'}`;
    for (const [i, f] of c.facts.entries()) {
      const line = `\n${i + 1}. ${escapeMrkdwn(f.text)} _(<@${f.by}>, ${f.at})_`;
      if (text.length + line.length > SECTION_CHARS) {
        text += `\n…and ${c.facts.length - i} more`;
        break;
      }
      text += line;
    }
    return { type: 'section', text: { type: 'mrkdwn', text } };
  });
  const more =
    channels.length > MAX_CHANNELS
      ? [
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `…and ${channels.length - MAX_CHANNELS} more channels` }],
          } as types.ContextBlock,
        ]
      : [];
  return [{ type: 'divider' }, header, ...sections, ...more];
}
