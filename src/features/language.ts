/**
 * The bot's own words (errors, notes, button labels, command replies) in the asker's Slack
 * language, from one table: language-en.ts, language-de.ts and language-ja.ts each give every
 * text of BotTexts (bot-texts.ts), so a missing translation is a type error. Claude's answers
 * follow the question's language by a system-prompt rule (claude/prompt.ts); this is everything
 * else the bot says. A language without a translation reads English.
 */
import type { BotTexts, Language } from './bot-texts.js';
import { DE } from './language-de.js';
import { EN } from './language-en.js';
import { JA } from './language-ja.js';

export type {
  BotTexts,
  CoverageWords,
  ErrorKind,
  FeedbackReason,
  FeedbackTexts,
  FollowTexts,
  Language,
  MemoryTexts,
  ModelTexts,
  SearchOff,
  SearchTexts,
  SummaryTexts,
  WindowUnit,
} from './bot-texts.js';

/** One table: every language's texts. */
export const TEXTS: Record<Language, BotTexts> = { en: EN, de: DE, ja: JA };

/** The bot's language for a Slack locale (`de-DE`, `ja-JP`); English when there is no translation. */
export function languageOf(locale: string | undefined): Language {
  const primary = locale?.slice(0, 2).toLowerCase();
  return primary === 'de' || primary === 'ja' ? primary : 'en';
}

/** The texts for a Slack locale. */
export function textsFor(locale: string | undefined): BotTexts {
  return TEXTS[languageOf(locale)];
}

/**
 * The longest the bot's own words wait for the person's language where nothing else bounds it:
 * then they are in English. Replies Slack wants within 3 s pass a shorter wait.
 */
export const LOCALE_WAIT_MS = 2000;

/**
 * A locale look-up (a cached users.info), waiting at most `ms`: undefined when it fails or comes
 * later, so the bot's words never wait long for it.
 */
export async function localeWithin(
  locale: Promise<string | undefined> | undefined,
  ms = LOCALE_WAIT_MS,
): Promise<string | undefined> {
  if (!locale) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([locale, late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** The person's language from a locale look-up (localeWithin): English when it fails or is late. */
export async function languageWithin(
  locale: Promise<string | undefined> | undefined,
  ms = LOCALE_WAIT_MS,
): Promise<Language> {
  return languageOf(await localeWithin(locale, ms));
}
