/**
 * Conservative token estimate without a network call: about 3 characters per token for Latin
 * text (Claude averages ~3.5) and one token per character for CJK and other wide scripts. It errs
 * high so a trimmed conversation never overflows the context window.
 */
export function estimateTokens(text: string): number {
  let narrow = 0;
  let wide = 0;
  for (const ch of text) {
    if ((ch.codePointAt(0) ?? 0) < 0x2e80) narrow++;
    else wide++;
  }
  return Math.ceil(narrow / 3) + wide + 4;
}
