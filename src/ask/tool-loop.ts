import type {
  ContentBlock,
  ContentBlockParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages';
import type { ClaudeRequest } from '../claude/client.js';
import type { AskAnswer, AskSession } from './types.js';

/**
 * A tool Claude may call that the bot itself runs (a client tool): its definition as the Messages
 * API takes it, and what running it gives back as the tool_result's content.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */
export interface ClientTool {
  definition: Tool;
  /** Runs one call; a thrown error becomes an `is_error` result Claude reads and goes on from. */
  run(input: unknown): Promise<NonNullable<ToolResultBlockParam['content']>>;
}

/** The answer of a question that may have used tools, and the Claude calls it took. */
export interface ToolAnswer {
  answer: AskAnswer;
  /** Claude calls made: one more than the tool rounds. */
  calls: number;
  /** The last call still asked for a tool when no round was left: the answer may be unfinished. */
  cut: boolean;
}

/**
 * Asks Claude with client tools: each call goes through the session (cache, queue, budget: every
 * round's tokens are counted like any call), each tool call Claude makes is run and its result
 * sent back, until Claude answers or `maxCalls` calls were made. Text Claude writes between tool
 * calls is streamed as it comes, the rounds parted by a blank line.
 */
export async function askWithTools(
  s: AskSession,
  request: ClaudeRequest,
  tools: readonly ClientTool[],
  opts: { maxCalls: number; onText(delta: string): void },
): Promise<ToolAnswer> {
  const byName = new Map(tools.map((t) => [t.definition.name, t]));
  let req: ClaudeRequest = {
    ...request,
    tools: [...(request.tools ?? []), ...tools.map((t) => t.definition)],
  };
  let wrote = false;
  let parted = true;
  const onText = (d: string) => {
    if (!d) return;
    if (!parted) opts.onText('\n\n');
    parted = true;
    wrote = true;
    opts.onText(d);
  };
  for (let call = 1; ; call++) {
    const answer = await s.claude(req, { onText });
    const uses = (answer.content ?? []).filter((b): b is ToolUseBlock => b.type === 'tool_use');
    if (answer.stopReason !== 'tool_use' || uses.length === 0) return { answer, calls: call, cut: false };
    if (call >= opts.maxCalls) return { answer, calls: call, cut: true };
    if (wrote) parted = false;
    const results: ToolResultBlockParam[] = [];
    for (const use of uses) results.push(await runOne(byName.get(use.name), use));
    // The conversation grows by the tool's results: its tokens are estimated again from it.
    const { inputTokens: _estimated, ...rest } = req;
    req = {
      ...rest,
      messages: [
        ...req.messages,
        { role: 'assistant', content: asParams(answer.content ?? []) },
        { role: 'user', content: results },
      ],
    };
  }
}

async function runOne(tool: ClientTool | undefined, use: ToolUseBlock): Promise<ToolResultBlockParam> {
  if (!tool)
    return {
      type: 'tool_result',
      tool_use_id: use.id,
      is_error: true,
      content: `No tool named ${use.name}.`,
    };
  try {
    return { type: 'tool_result', tool_use_id: use.id, content: await tool.run(use.input) };
  } catch (err) {
    const why = err instanceof Error ? err.message : 'the tool failed';
    return { type: 'tool_result', tool_use_id: use.id, is_error: true, content: why };
  }
}

/**
 * An answer's blocks sent back as the assistant's turn, unchanged (thinking blocks must come back
 * exactly as written); the response types are the request types' shapes.
 */
function asParams(content: readonly ContentBlock[]): ContentBlockParam[] {
  return content as unknown as ContentBlockParam[];
}

/** Who asks and where the answer goes, as a feature lending tools sees it (plain data). */
export interface ToolAsker {
  ref: string;
  teamId: string;
  channelId: string;
  threadTs: string;
  kind: 'channel' | 'dm';
  /** The person's permission for the app to act for them (Slack's `action_token`), if any. */
  actionToken?: string;
  /** The event had one, but it was not kept while the question waited through a restart. */
  actionTokenNotKept?: boolean;
}

/** Client tools one answer may use, lent by a feature, with what it says under the answer. */
export interface LentTools {
  tools: ClientTool[];
  /** Claude calls the answer may take at most. */
  maxCalls: number;
  /** Said under the answer (sources, a note), in the asker's `locale` (`de-DE`); '' for nothing. */
  closing(answer: AskAnswer | undefined, cut: boolean, locale?: string): string;
}

/** Lends an answer the tools its profile turns on; `status` shows what a tool is doing. */
export type ToolLender = (
  asker: ToolAsker,
  profile: AskSession['profile'],
  status: (text: string) => void,
) => LentTools | undefined;

/**
 * One answer's Claude call(s): with the lent tools when there are any, a single call otherwise.
 * Returns the last answer and whether it was cut with a tool call still asked for (what goes
 * under it is the lent tools' `closing`, said once the asker's language is known).
 */
export async function askWithLent(
  s: AskSession,
  request: ClaudeRequest,
  lent: LentTools | undefined,
  onText: (delta: string) => void,
): Promise<{ answer: AskAnswer; cut: boolean }> {
  if (!lent?.tools.length) return { answer: await s.claude(request, { onText }), cut: false };
  const r = await askWithTools(s, request, lent.tools, { maxCalls: lent.maxCalls, onText });
  return { answer: r.answer, cut: r.cut };
}
