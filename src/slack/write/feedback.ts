/**
 * Slack's feedback buttons under an answer (a context_actions block with feedback_buttons). The
 * block_id carries the answer's reference, so a click can be tied to the answer it rates.
 * @see https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element
 */
import type { Block } from '@slack/web-api';

export const FEEDBACK_ACTION_ID = 'answer_feedback';
const BLOCK_PREFIX = 'feedback:';

export type Vote = 'up' | 'down';

export function feedbackBlock(ref: string): Block {
  const block = {
    type: 'context_actions',
    block_id: `${BLOCK_PREFIX}${ref}`.slice(0, 255),
    elements: [
      {
        type: 'feedback_buttons',
        action_id: FEEDBACK_ACTION_ID,
        positive_button: {
          text: { type: 'plain_text', text: '👍' },
          accessibility_label: 'Good answer',
          value: 'up',
        },
        negative_button: {
          text: { type: 'plain_text', text: '👎' },
          accessibility_label: 'Bad answer',
          value: 'down',
        },
      },
    ],
  };
  return block;
}

/** The answer's reference and the vote of a click on feedbackBlock's buttons; undefined otherwise. */
export function readFeedback(blockId: unknown, value: unknown): { ref: string; vote: Vote } | undefined {
  if (typeof blockId !== 'string' || !blockId.startsWith(BLOCK_PREFIX)) return undefined;
  if (value !== 'up' && value !== 'down') return undefined;
  return { ref: blockId.slice(BLOCK_PREFIX.length), vote: value };
}
