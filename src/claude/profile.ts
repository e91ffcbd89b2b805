import type { ToolUnion } from '@anthropic-ai/sdk/resources/messages';
import type { McpToken } from './mcp.js';

/** Limits of one of Anthropic's server-side tools (web search, web fetch). */
export interface ServerToolSettings {
  maxUses?: number;
  allowedDomains?: string[];
  blockedDomains?: string[];
}

/**
 * Workspace search (Slack's Real-time Search API) as a profile turns it on: Claude may search the
 * asker's Slack with the `search_workspace` tool, at most `maxSearches` times per answer, each
 * search giving it at most `maxResults` messages.
 */
export interface WorkspaceSearchSettings {
  maxSearches: number;
  maxResults: number;
}

/** Searches per answer and messages per search when a profile says only `workspace_search: true`. */
export const WORKSPACE_SEARCH_DEFAULTS: WorkspaceSearchSettings = { maxSearches: 3, maxResults: 10 };

/** What Claude is asked with in one place (a channel or the DMs): a profile with every field resolved. */
export interface ClaudeProfile {
  /** The profile's name; `default` when no profile matched. */
  name: string;
  model: string;
  maxTokens: number;
  contextTokens: number;
  /** Replaces the persona of the built-in system prompt; undefined for the built-in one. */
  systemPrompt: string | undefined;
  /** Off when undefined. */
  webSearch?: ServerToolSettings;
  webFetch?: ServerToolSettings;
  /** Off when undefined: Claude may search the asker's Slack workspace (a client tool the bot runs). */
  workspaceSearch?: WorkspaceSearchSettings;
  /** MCP servers Claude may use through Anthropic's MCP connector, each with this profile's token. */
  mcpServers?: McpServer[];
  /** How long a complete answer is reused for the same question here; 0 = never cached. */
  cacheTtlSeconds: number;
  /** Claude tokens one person may use per UTC day here; 0 = no limit. */
  userTokensPerDay: number;
  /**
   * Whose count `userTokensPerDay` is checked against: '' for the budget every place without its
   * own shares (the file's `default:` or USER_TOKENS_PER_DAY), else the profile that sets its own.
   */
  budgetPool: string;
  /** Channel memory ("remember that …"): on unless the profile says `memory: false`. */
  memory?: boolean;
  /** Un-mentioned replies in threads the bot answered are answered (`follow_threads`). */
  followThreads?: boolean;
  /** Models a person may choose for one question ("use opus: …"), besides `model`; none = no choice. */
  models?: string[];
}

/**
 * An MCP server as a request names it, with the token of the profile that declares it: the token
 * travels with the request (never looked up by URL, where two profiles could name one server with
 * different tokens) and serialises as a fingerprint only.
 */
export interface McpServer {
  name: string;
  url: string;
  token?: McpToken;
}

/**
 * Anthropic's server-side tools a profile turns on, as the Messages API takes them.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-fetch-tool
 */
export function serverTools(p: Pick<ClaudeProfile, 'webSearch' | 'webFetch'>): ToolUnion[] {
  const limits = (s: ServerToolSettings) => ({
    ...(s.maxUses !== undefined ? { max_uses: s.maxUses } : {}),
    ...(s.allowedDomains?.length ? { allowed_domains: s.allowedDomains } : {}),
    ...(s.blockedDomains?.length ? { blocked_domains: s.blockedDomains } : {}),
  });
  const tools: ToolUnion[] = [];
  if (p.webSearch) tools.push({ type: 'web_search_20250305', name: 'web_search', ...limits(p.webSearch) });
  if (p.webFetch) tools.push({ type: 'web_fetch_20250910', name: 'web_fetch', ...limits(p.webFetch) });
  return tools;
}
