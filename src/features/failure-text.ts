/** What people read when their question ends without an answer: one table for every feature. */
import type { AskFailure } from '../ask/types.js';
import { ClaudeError } from '../claude/errors.js';
import { missingScope, slackErrorCode } from '../slack/web.js';
import { type BotTexts, type ErrorKind, TEXTS } from './language.js';

/** Short, plain, with what to do next (English; other languages in ./language.ts). */
export const ERROR_TEXT: Record<ErrorKind, string> = TEXTS.en.errors;

/** Adds the reference people can quote to whoever runs the bot. */
export function withReference(text: string, ref: string, label = TEXTS.en.reference): string {
  return `:warning: ${text}\n_${label}: ${ref}_`;
}

/** Plain words for Slack's errors met while reading for a question; undefined for unexpected ones. */
export function slackReadText(code: string | undefined, botName: string): string | undefined {
  switch (code) {
    case 'not_in_channel':
      return `I’m not a member of this channel, so I can’t read it. Add me with \`/invite @${botName}\` and try again.`;
    case 'channel_not_found':
      return `I can’t read this conversation. I can only summarize channels I’ve been added to (\`/invite @${botName}\`); direct messages and group DMs between other people stay private to them.`;
    case 'thread_not_found':
    case 'message_not_found':
      return 'I could not find that thread. Check the link: it has to point to a message in a channel I’m a member of.';
    case 'ratelimited':
      return 'Slack is limiting how fast I can read history right now. Please try again in a minute.';
    default:
      return undefined;
  }
}

/** A Slack permission the app lacks (removed after install): only reinstalling the app grants it. */
function missingScopeText(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  return `:warning: I can’t do this: the app lacks the Slack permission \`${scope}\`. A workspace admin must reinstall the app to grant it.`;
}

/** A setting the channel's model refuses, named with the model: what whoever runs the bot must change. */
function modelSettingText(cause: unknown): string | undefined {
  if (!(cause instanceof ClaudeError) || !cause.setting) return undefined;
  return `This channel’s model setting \`${cause.setting}\` is not accepted by ${cause.model ?? 'its model'}. Please tell whoever runs this bot.`;
}

/**
 * The person's text for a failure: their own limit and a refused question as they are, Slack's
 * known errors plainly, everything else from the table with the reference to quote, in the
 * asker's language where the table has it.
 */
export function failureText(
  failure: AskFailure,
  ref: string,
  botName: string,
  texts: BotTexts = TEXTS.en,
): string {
  switch (failure.kind) {
    case 'budget':
      return `:hourglass: ${failure.message}`;
    case 'refused':
      return failure.text;
    case 'stopped':
      return '';
    case 'model_setting':
      return withReference(
        modelSettingText(failure.cause) ?? texts.errors.model_setting,
        ref,
        texts.reference,
      );
    case 'internal':
      return (
        missingScopeText(missingScope(failure.cause)) ??
        slackReadText(slackErrorCode(failure.cause), botName) ??
        withReference(texts.errors.internal, ref, texts.reference)
      );
    default:
      return withReference(texts.errors[failure.kind], ref, texts.reference);
  }
}
