import { type FakeAnthropic, type FakeReply, startFakeAnthropic } from './fake-anthropic.js';
import { offersTool } from './fake-search.js';
import { type MessagesRequestBody, offlineReply } from './offline-model.js';
import { truncate } from './offline-reading.js';
import { offlineToolReply } from './offline-search.js';

/** Trouble the operator panel can switch on for every following Claude request. */
export const CLAUDE_FAULTS = [
  'none',
  'rate_limited',
  'overloaded',
  'timeout',
  'broken_stream',
  'stalled_stream',
] as const;
export type ClaudeFault = (typeof CLAUDE_FAULTS)[number];

/** One request as the panel shows it: what the bot sent to Claude, trimmed for reading. */
export interface RequestView {
  at: number;
  model: string;
  maxTokens: number | undefined;
  /** System prompt text, cut to a readable length. */
  system: string;
  messages: Array<{ role: string; chars: number; preview: string }>;
  /** About four characters a token, like the fake's own estimate. */
  inputTokensEstimate: number;
  /** The server-side tools and MCP servers the channel's profile offered. */
  tools: string[];
}

/** The Claude side of the sandbox: the offline model behind the fake API, or the real API. */
export interface SandboxClaude {
  mode: 'offline' | 'api';
  /** Base URL and key for the bot when offline; undefined when the real API is used. */
  env: Record<string, string>;
  fault(): ClaudeFault;
  /** Switches a fault on for every following request ('none' = answer normally); offline mode only. */
  setFault(f: ClaudeFault): void;
  /** The latest requests, newest first; empty with the real API (they go straight to Anthropic). */
  recentRequests(n: number): RequestView[];
  close(): Promise<void>;
}

/** Streamed in small pieces with a pause, so answers visibly grow like Claude's do. */
const PACE = { chunkSize: 12, chunkDelayMs: 35 } as const;

function faultReply(f: ClaudeFault, text: string): FakeReply | undefined {
  switch (f) {
    case 'rate_limited':
      return { status: 429, headers: { 'retry-after': '1' } };
    case 'overloaded':
      return { status: 529 };
    case 'timeout':
      return { hang: true };
    case 'broken_stream':
      return { text, ...PACE, breakAfterChars: 90 };
    case 'stalled_stream':
      return { text, ...PACE, stallAfterChars: 90 };
    default:
      return undefined;
  }
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((b: { text?: unknown }) => (typeof b.text === 'string' ? b.text : '')).join('\n')
      : '';

/**
 * Starts the offline model (fake Messages API on loopback) unless the real API is configured.
 * `profileOf` names the channel profile a request was asked with; the offline reply says it.
 */
export async function startSandboxClaude(
  useRealApi: boolean,
  opts: { profileOf?: (body: MessagesRequestBody) => string } = {},
): Promise<SandboxClaude> {
  if (useRealApi) {
    return {
      mode: 'api',
      env: {},
      fault: () => 'none',
      setFault: () => {
        throw new Error('faults can only be simulated with the offline model');
      },
      recentRequests: () => [],
      close: async () => {},
    };
  }
  let current: ClaudeFault = 'none';
  const fake: FakeAnthropic = await startFakeAnthropic({
    responder: (req) => {
      const question = req.body;
      const profile = opts.profileOf?.(question);
      // Asked what the thread does not say, with workspace search on: it searches, then cites.
      const searching = offlineToolReply(question, { profile });
      const text = searching?.text ?? offlineReply(question, { profile });
      // Where the channel's profile turns web search on, one simulated search cites one page.
      const webSearch = offersTool(req.body, 'web_search')
        ? {
            query: truncate(textOf(question.messages.at(-1)?.content).replace(/\s+/g, ' '), 60),
            results: [{ url: 'https://example.com/simulated-result', title: 'A simulated search result' }],
          }
        : undefined;
      // A workspace search call carries no text and no web search; the answer after it may.
      if (searching?.toolUse) return faultReply(current, text) ?? { ...searching, ...PACE };
      return (
        faultReply(current, text) ?? { ...searching, text, ...PACE, ...(webSearch ? { webSearch } : {}) }
      );
    },
  });
  return {
    mode: 'offline',
    // Any non-empty key works: the fake only rejects 'invalid-key'.
    env: { ANTHROPIC_API_KEY: 'sandbox-offline-model', ANTHROPIC_BASE_URL: fake.url },
    fault: () => current,
    setFault(f) {
      current = f;
    },
    recentRequests(n) {
      return fake.requests
        .slice(-n)
        .reverse()
        .map((r) => {
          const system = textOf(r.body.system);
          const messages = r.body.messages.map((m) => {
            const t = textOf(m.content);
            return { role: m.role, chars: t.length, preview: truncate(t.replace(/\s+/g, ' '), 160) };
          });
          const chars = system.length + messages.reduce((s, m) => s + m.chars, 0);
          return {
            at: r.at,
            model: r.body.model,
            maxTokens: r.body.max_tokens,
            system: truncate(system, 600),
            messages,
            inputTokensEstimate: Math.ceil(chars / 4),
            tools: [
              ...((r.body.tools as Array<{ name?: string }> | undefined) ?? []).map((t) => String(t.name)),
              ...((r.body.mcp_servers as Array<{ name?: string }> | undefined) ?? []).map(
                (m) => `MCP ${m.name}`,
              ),
            ],
          };
        });
    },
    close: () => fake.close(),
  };
}
