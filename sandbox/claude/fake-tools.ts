/**
 * Client tools and search results as the fake Messages API checks and plays them: the `tools`
 * a request offers, `tool_use` blocks answered by `tool_result` blocks in the next user turn,
 * `search_result` blocks (in tool results or at the top level) and the `search_result_location`
 * citations an answer gives them. A request that breaks one of the documented rules gets the 400
 * the real API answers, so the bot cannot send one the real API would refuse.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 * @see https://docs.anthropic.com/en/docs/build-with-claude/search-results
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessagesRequestBody, RequestContentBlock } from './offline-model.js';

/** One client tool call the fake plays after its text, ending the turn with `stop_reason: tool_use`. */
export interface FakeToolUse {
  name: string;
  input: unknown;
}

/** A search result of the request, as the fake reads it (in request order: its citation index). */
export interface RequestSearchResult {
  index: number;
  source: string;
  title: string;
  texts: string[];
  citations: boolean;
}

/** A custom tool's name: "must match the regex ^[a-zA-Z0-9_-]{1,64}$" (Anthropic's tool-use guide). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

type Block = RequestContentBlock & Record<string, unknown>;
const blocksOf = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : []);

/** Whether the request offers a client tool (or a server tool) of this name. */
export function offersClientTool(body: MessagesRequestBody, name: string): boolean {
  const tools = (body as { tools?: Array<{ name?: string }> }).tools;
  return Array.isArray(tools) && tools.some((t) => t.name === name);
}

/**
 * The 400 the real API answers for a request whose tools, tool blocks or search results break its
 * rules; undefined when they are fine.
 */
export function toolRulesError(body: MessagesRequestBody): string | undefined {
  const tools = (body as { tools?: unknown }).tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
    for (const [i, t] of (tools as Array<Record<string, unknown>>).entries()) {
      // Server tools (web_search_20250305, …) carry a `type`; custom tools a name and a schema.
      if (typeof t?.type === 'string' && t.type !== 'custom') continue;
      if (typeof t?.name !== 'string' || !TOOL_NAME.test(t.name))
        return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      const schema = t.input_schema as { type?: unknown } | undefined;
      if (typeof schema !== 'object' || schema === null)
        return `tools.${i}.custom.input_schema: Field required`;
      if (schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    }
  }
  const messages = body.messages;
  // "Requests which include `tool_use` or `tool_result` blocks must define tools."
  const toolBlocks = messages.some((m) =>
    blocksOf(m.content).some((b) => b.type === 'tool_use' || b.type === 'tool_result'),
  );
  if (toolBlocks && (!Array.isArray(tools) || tools.length === 0))
    return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
  let citationsOn: boolean | undefined;
  for (const [i, m] of messages.entries()) {
    const blocks = blocksOf(m.content);
    const previous = i > 0 ? blocksOf(messages[i - 1]?.content) : [];
    const asked = new Set(previous.filter((b) => b.type === 'tool_use').map((b) => String(b.id)));
    for (const [j, b] of blocks.entries()) {
      if (b.type === 'tool_use' && m.role !== 'assistant')
        return `messages.${i}.content.${j}: tool_use blocks can only be in assistant messages`;
      if (b.type === 'tool_use' && (typeof b.id !== 'string' || typeof b.name !== 'string'))
        return `messages.${i}.content.${j}.tool_use.id: Field required`;
      if (b.type !== 'tool_result') continue;
      if (m.role !== 'user')
        return `messages.${i}.content.${j}: tool_result blocks can only be in user messages`;
      if (!asked.has(String(b.tool_use_id)))
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      // "tool_result blocks must come FIRST in the content array": text only after all of them.
      if (blocks.slice(0, j).some((x) => x.type !== 'tool_result'))
        return `messages.${i}.content.${j}: tool_result blocks must come before any other content in a user message`;
    }
    // Every tool_use of an assistant turn is answered in the very next (user) message.
    const uses = blocks.filter((b) => b.type === 'tool_use').map((b) => String(b.id));
    if (m.role === 'assistant' && uses.length > 0) {
      const next = blocksOf(messages[i + 1]?.content);
      const answered = new Set(
        next.filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)),
      );
      const missing = uses.filter((id) => !answered.has(id));
      if (missing.length > 0)
        return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    for (const [j, b] of blocks.entries()) {
      const inner = b.type === 'tool_result' ? blocksOf(b.content) : [b];
      for (const [k, r] of inner.entries()) {
        if (r.type !== 'search_result') continue;
        const where =
          b.type === 'tool_result' ? `messages.${i}.content.${j}.content.${k}` : `messages.${i}.content.${j}`;
        const bad = searchResultError(r);
        if (bad) return `${where}.${bad}`;
        // "Citations must be either all enabled or all disabled for search results in a request."
        const on = (r.citations as { enabled?: unknown } | undefined)?.enabled === true;
        if (citationsOn !== undefined && on !== citationsOn)
          return `${where}: citations must be enabled for all or none of the search results in a request`;
        citationsOn = on;
      }
    }
  }
  return undefined;
}

/** A search_result block's own shape: source and title (strings), content (non-empty text blocks). */
function searchResultError(r: Block): string | undefined {
  if (typeof r.source !== 'string' || r.source === '') return 'source: Field required';
  if (typeof r.title !== 'string' || r.title === '') return 'title: Field required';
  if (!Array.isArray(r.content) || r.content.length === 0) return 'content: Field required';
  for (const [n, t] of (r.content as Block[]).entries()) {
    if (t?.type !== 'text') return `content.${n}.type: Input should be 'text'`;
    if (typeof t.text !== 'string' || t.text.trim() === '')
      return `content.${n}.text: text content blocks must be non-empty`;
  }
  const c = r.citations as { enabled?: unknown } | undefined;
  if (c !== undefined && (typeof c !== 'object' || c === null || typeof c.enabled !== 'boolean'))
    return 'citations.enabled: Input should be a valid boolean';
  return undefined;
}

/** Every search result of a request, in the order the API numbers them for citations. */
export function searchResultsOf(body: MessagesRequestBody): RequestSearchResult[] {
  const out: RequestSearchResult[] = [];
  for (const m of body.messages) {
    for (const b of blocksOf(m.content)) {
      for (const r of b.type === 'tool_result' ? blocksOf(b.content) : [b]) {
        if (r.type !== 'search_result') continue;
        out.push({
          index: out.length,
          source: String(r.source),
          title: String(r.title),
          texts: blocksOf(r.content).map((t) => String(t.text ?? '')),
          citations: (r.citations as { enabled?: unknown } | undefined)?.enabled === true,
        });
      }
    }
  }
  return out;
}

/** The citations an answer gives the chosen search results (only those with citations enabled). */
export function searchCitations(
  body: MessagesRequestBody,
  cite: 'all' | readonly number[],
): Anthropic.CitationsSearchResultLocation[] {
  return searchResultsOf(body)
    .filter((r) => r.citations && (cite === 'all' || cite.includes(r.index)))
    .map((r) => ({
      type: 'search_result_location',
      source: r.source,
      title: r.title,
      cited_text: r.texts[0] ?? '',
      search_result_index: r.index,
      start_block_index: 0,
      end_block_index: 1,
    }));
}

/** The tool_use block of a call the fake plays. */
export function toolUseBlock(use: FakeToolUse, id: string): Anthropic.ContentBlock {
  return {
    type: 'tool_use',
    id,
    name: use.name,
    input: use.input,
    caller: { type: 'direct' },
  } as Anthropic.ContentBlock;
}
