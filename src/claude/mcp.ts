import { createHash } from 'node:crypto';
import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';

/**
 * An MCP server's bearer token (a profile's token_file), carried by the request of the profile
 * that declares it. Serialised (JSON: cache and single-flight keys, logs, Redis) and inspected it
 * shows only a fingerprint, so requests with different tokens never share a key and the token
 * itself never leaves this object except in the call to Anthropic (`reveal`).
 */
export class McpToken {
  readonly #value: string;
  /** A short hash of the token: tells two tokens apart without showing either. */
  readonly fingerprint: string;

  constructor(value: string) {
    this.#value = value;
    this.fingerprint = createHash('sha256').update(`mcp-token\0${value}`).digest('hex').slice(0, 16);
  }

  /** The token itself, for the request to Anthropic's MCP connector only. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return `mcp-token:${this.fingerprint}`;
  }

  toString(): string {
    return this.toJSON();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }
}

/** What Claude is doing with a tool, as the status shows it. */
export type ToolActivity = { kind: 'search'; query: string } | { kind: 'mcp'; server: string; tool: string };

/** A tool call block as it streams in (MCP blocks come with the connector's beta). */
interface ToolBlock {
  type: string;
  name?: string;
  server_name?: string;
  input?: unknown;
  id?: string;
  tool_use_id?: string;
  is_error?: boolean;
}

/** The activity a finished content block starts, if it is a tool call. */
export function activityOf(block: ContentBlock): ToolActivity | undefined {
  const b = block as unknown as ToolBlock;
  if (b.type === 'server_tool_use' && b.name === 'web_search') {
    const query = (b.input as { query?: unknown } | undefined)?.query;
    return typeof query === 'string' ? { kind: 'search', query } : undefined;
  }
  if (b.type === 'mcp_tool_use' && b.server_name && b.name) {
    return { kind: 'mcp', server: b.server_name, tool: b.name };
  }
  return undefined;
}

/**
 * The MCP servers whose calls failed in a message (an `mcp_tool_result` with `is_error`), once
 * each: the answer goes on without them, and says so.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/mcp-connector
 */
export function addFailedServers(into: string[], content: readonly ContentBlock[]): void {
  const blocks = content as unknown as ToolBlock[];
  const servers = new Map(blocks.filter((b) => b.type === 'mcp_tool_use').map((b) => [b.id, b.server_name]));
  for (const b of blocks) {
    if (b.type !== 'mcp_tool_result' || !b.is_error) continue;
    const server = servers.get(b.tool_use_id) ?? 'a connector';
    if (!into.includes(server)) into.push(server);
  }
}

/** The note under an answer given without a failed server; '' when none failed. */
export function failedServersText(servers: readonly string[]): string {
  if (servers.length === 0) return '';
  const names = servers.map((s) => `\`${s}\``).join(', ');
  return `\n\n_${names} did not answer, so this answer is without ${servers.length > 1 ? 'them' : 'it'}._`;
}
