/**
 * Anthropic's server-side web search, as the fake API plays it: a `server_tool_use` block, a
 * `web_search_tool_result` block, and the answer's text citing the first result. Played only
 * when the request offers the web_search tool, as the real API can search only then.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessagesRequestBody } from './offline-model.js';

/** One search the fake plays before its text. */
export interface FakeSearch {
  query: string;
  results: Array<{ url: string; title: string }>;
}

/** Whether the request offers a server-side tool of this name (web_search, web_fetch). */
export function offersTool(body: MessagesRequestBody, name: string): boolean {
  const tools = (body as { tools?: Array<{ name?: string }> }).tools;
  return Array.isArray(tools) && tools.some((t) => t.name === name);
}

/** The blocks that come before the text: the search and its results. */
export function searchBlocks(search: FakeSearch, id: string): Anthropic.ContentBlock[] {
  return [
    {
      type: 'server_tool_use',
      id,
      name: 'web_search',
      input: { query: search.query },
      caller: { type: 'direct' },
    } as Anthropic.ContentBlock,
    {
      type: 'web_search_tool_result',
      tool_use_id: id,
      content: search.results.map((r) => ({
        type: 'web_search_result',
        url: r.url,
        title: r.title,
        encrypted_content: 'fake-encrypted',
        page_age: null,
      })),
      caller: { type: 'direct' },
    } as Anthropic.ContentBlock,
  ];
}

/** The citation the text carries: the first result, with the passage it cites. */
export function citationOf(search: FakeSearch): Anthropic.CitationsWebSearchResultLocation | undefined {
  const first = search.results[0];
  if (!first) return undefined;
  return {
    type: 'web_search_result_location',
    url: first.url,
    title: first.title,
    cited_text: `A passage of ${first.title}.`,
    encrypted_index: 'fake-index',
  };
}

/** Stream events that play a content block: its start (empty input), the input as JSON, its stop. */
export function blockEvents(block: Anthropic.ContentBlock, index: number): Anthropic.RawMessageStreamEvent[] {
  if (
    block.type !== 'server_tool_use' &&
    block.type !== 'tool_use' &&
    (block.type as string) !== 'mcp_tool_use'
  ) {
    return [
      { type: 'content_block_start', index, content_block: block },
      { type: 'content_block_stop', index },
    ];
  }
  return [
    { type: 'content_block_start', index, content_block: { ...block, input: {} } as Anthropic.ContentBlock },
    {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify((block as { input: unknown }).input) },
    },
    { type: 'content_block_stop', index },
  ];
}

/** One MCP tool call the fake plays before its text, on the request's first MCP server. */
export interface FakeMcpCall {
  tool: string;
  /** The server answered with an error (is_error). */
  error?: boolean;
}

/**
 * The `mcp_tool_use` and `mcp_tool_result` blocks of a call, when the request names an MCP
 * server (the connector can call only those); none otherwise.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/mcp-connector
 */
export function mcpBlocks(
  body: MessagesRequestBody,
  call: FakeMcpCall,
  id: string,
): Anthropic.ContentBlock[] {
  const server = (body as { mcp_servers?: Array<{ name?: string }> }).mcp_servers?.[0]?.name;
  if (!server) return [];
  return [
    { type: 'mcp_tool_use', id, name: call.tool, server_name: server, input: {} },
    {
      type: 'mcp_tool_result',
      tool_use_id: id,
      is_error: !!call.error,
      content: [{ type: 'text', text: call.error ? 'connection refused' : `result of ${call.tool}` }],
    },
  ] as unknown as Anthropic.ContentBlock[];
}
