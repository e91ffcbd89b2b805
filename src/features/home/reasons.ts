import type { types } from '@slack/bolt';
import { escapeMrkdwn } from '../../slack/write/format.js';

/** One reason given under a 👎, as the feedback feature keeps it. */
export interface ReasonView {
  /** The answer's workspace (unset for reasons kept before it was recorded). */
  team?: string;
  ref: string;
  user: string;
  channel: string;
  profile: string;
  reason: string;
  text?: string;
  at: string;
}

/** Reasons shown, and a section's text limit (Slack: 3,000 characters). */
const MAX_SHOWN = 15;
const SECTION_CHARS = 2900;

/**
 * The Home tab's "why answers were voted down" for the bot's admins: the latest reasons, with the
 * person's words escaped and the answer's reference (to find it in the logs).
 */
export function reasonBlocks(reasons: readonly ReasonView[]): types.KnownBlock[] {
  if (reasons.length === 0)
    return [
      { type: 'divider' },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Why answers were voted down*: no reasons given yet.' },
      },
    ];
  let text = '*Why answers were voted down* (latest first)';
  for (const [i, r] of reasons.slice(0, MAX_SHOWN).entries()) {
    const words = r.text ? `: “${escapeMrkdwn(r.text.slice(0, 200))}”` : '';
    const line = `\n• *${escapeMrkdwn(r.reason)}*${words} _(<@${r.user}> in <#${r.channel}>, ${r.at.slice(0, 16).replace('T', ' ')} UTC, answer \`${escapeMrkdwn(r.ref)}\`)_`;
    if (text.length + line.length > SECTION_CHARS) {
      text += `\n…and ${reasons.length - i} more`;
      break;
    }
    text += line;
  }
  return [{ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text } }];
}
