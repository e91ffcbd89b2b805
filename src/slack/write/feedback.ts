/**
 * Slack's feedback buttons under an answer (a context_actions block with feedback_buttons). The
 * block_id carries the answer's reference, so a click can be tied to the answer it rates.
 * @see https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element
 */
import type { Block } from '@slack/web-api';

export const FEEDBACK_ACTION_ID = 'answer_feedback';
const BLOCK_PREFIX = 'feedback:';

export type Vote = 'up' | 'down';

/** A channel profile's name (CLAUDE_PROFILES_FILE's rule), carried in the block after `@`. */
const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

/** `profile`: the channel profile that answered, so votes can be counted per profile. */
export function feedbackBlock(
  ref: string,
  profile?: string,
  labels: { goodAnswer: string; badAnswer: string } = { goodAnswer: 'Good answer', badAnswer: 'Bad answer' },
): Block {
  const tail = profile && PROFILE_NAME.test(profile) ? `@${profile}` : '';
  const block = {
    type: 'context_actions',
    block_id: `${BLOCK_PREFIX}${ref.slice(0, 255 - BLOCK_PREFIX.length - tail.length)}${tail}`,
    elements: [
      {
        type: 'feedback_buttons',
        action_id: FEEDBACK_ACTION_ID,
        positive_button: {
          text: { type: 'plain_text', text: '👍' },
          accessibility_label: labels.goodAnswer,
          value: 'up',
        },
        negative_button: {
          text: { type: 'plain_text', text: '👎' },
          accessibility_label: labels.badAnswer,
          value: 'down',
        },
      },
    ],
  };
  return block;
}

/** The answer's reference, its profile (if the block names one) and the vote of a click on feedbackBlock's buttons. */
export function readFeedback(
  blockId: unknown,
  value: unknown,
): { ref: string; vote: Vote; profile?: string } | undefined {
  if (typeof blockId !== 'string' || !blockId.startsWith(BLOCK_PREFIX)) return undefined;
  if (value !== 'up' && value !== 'down') return undefined;
  const rest = blockId.slice(BLOCK_PREFIX.length);
  const at = rest.lastIndexOf('@');
  const profile = at >= 0 ? rest.slice(at + 1) : '';
  if (at >= 0 && PROFILE_NAME.test(profile)) return { ref: rest.slice(0, at), vote: value, profile };
  return { ref: rest, vote: value };
}
