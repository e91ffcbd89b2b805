/**
 * The offline model with the bot's workspace search tool (`search_workspace`): asked something
 * nothing earlier in the thread speaks of, it searches; given the results, it answers from them
 * and cites each one (search_result_location citations), as Claude does with search results.
 */
import type { FakeReply } from './fake-anthropic.js';
import { offersClientTool, searchResultsOf } from './fake-tools.js';
import { type MessagesRequestBody, OFFLINE_MODEL_NOTE, type RequestContentBlock } from './offline-model.js';
import { contentWords, readMessages, truncate } from './offline-reading.js';

/** The name of the bot's workspace search tool. */
export const SEARCH_TOOL = 'search_workspace';

/** Words of a search query the offline model writes at most. */
const QUERY_WORDS = 8;

const blocksOf = (content: unknown): RequestContentBlock[] =>
  Array.isArray(content) ? (content as RequestContentBlock[]) : [];

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : blocksOf(content)
        .filter((b) => b.type === 'text' && typeof b.text === 'string')
        .map((b) => b.text)
        .join('\n');

/**
 * The offline reply when the request offers the search tool: a search (a tool call with no text)
 * for a question the thread cannot answer, or the answer from the results just given; undefined
 * when the tool is not offered or the thread itself speaks of the question.
 */
export function offlineToolReply(
  body: MessagesRequestBody,
  opts: { profile?: string } = {},
): FakeReply | undefined {
  if (!offersClientTool(body, SEARCH_TOOL)) return undefined;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const said = readMessages(
    messages
      .filter((m) => m.role === 'user')
      .map((m) => textOf(m.content))
      .join('\n'),
  );
  const question = said.at(-1)?.text ?? '';
  const last = messages.at(-1);
  const searched = blocksOf(last?.content).some((b) => b.type === 'tool_result');
  if (!searched) {
    const asked = new Set(contentWords(question));
    const threadKnows = said.slice(0, -1).some((m) => contentWords(m.text).some((w) => asked.has(w)));
    if (threadKnows || asked.size === 0) return undefined;
    return {
      text: '',
      toolUse: { name: SEARCH_TOOL, input: { query: [...asked].slice(0, QUERY_WORDS).join(' ') } },
    };
  }
  const note = opts.profile
    ? `${OFFLINE_MODEL_NOTE}\nAnswered with the **${opts.profile}** profile (model \`${body.model}\`).`
    : OFFLINE_MODEL_NOTE;
  const results = searchResultsOf(body);
  const lines =
    results.length > 0
      ? [
          `**From the workspace**, ${results.length === 1 ? 'one message' : `${results.length} messages`} matched:`,
          ...results.map((r) => `> *${r.title}*: ${truncate(r.texts.join(' ').replace(/\s+/g, ' '), 160)}`),
        ]
      : ['**Nothing in the workspace** you can read matches your question.'];
  return {
    text: [note, '', question ? `You asked: "${truncate(question, 200)}"` : '', '', ...lines].join('\n'),
    citeSearchResults: 'all',
  };
}
