import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';

/** A web page Claude cited. */
export interface Source {
  url: string;
  title: string;
}

/** Most sources listed under an answer: Claude may cite dozens of passages. */
export const MAX_SOURCES = 5;
/** Longest title shown: titles are written by the pages' authors. */
const MAX_TITLE_CHARS = 80;
const MAX_URL_CHARS = 2000;

/**
 * Adds the web pages cited in a message's text blocks (web search and web fetch citations),
 * once each, up to MAX_SOURCES. Cited text is not kept: the answer links, it does not paste.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool#citations
 */
export function addSources(into: Source[], content: readonly ContentBlock[]): void {
  for (const block of content) {
    if (block.type !== 'text' || !block.citations) continue;
    for (const c of block.citations) {
      if (into.length >= MAX_SOURCES) return;
      if (c.type !== 'web_search_result_location') continue;
      const url = c.url;
      if (url.length > MAX_URL_CHARS || !/^https?:\/\/[^\s<>|]+$/.test(url)) continue;
      if (into.some((s) => s.url === url)) continue;
      into.push({ url, title: c.title ?? url });
    }
  }
}

/** The sources as Markdown links under the answer, under `heading`; '' when there are none. */
export function sourcesText(sources: readonly Source[], heading = 'Sources'): string {
  if (sources.length === 0) return '';
  const title = (t: string) => {
    const plain = t.replace(/[\s[\]()<>|*_~`]+/g, ' ').trim();
    return plain.length > MAX_TITLE_CHARS ? `${plain.slice(0, MAX_TITLE_CHARS - 1)}…` : plain || 'source';
  };
  const links = sources.map((s) => `- [${title(s.title)}](${s.url})`);
  return `\n\n**${heading}**\n${links.join('\n')}`;
}
