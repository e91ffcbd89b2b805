/** Reading the Block Kit blocks of a message the bot wrote (as the simulated Slack keeps it). */
export type Block = { type?: string; text?: unknown; elements?: Array<Record<string, unknown>> };

type WithBlocks = { blocks?: unknown[] };

export const blocksOf = (m: WithBlocks) => (m.blocks ?? []) as Block[];

/** The text of the message's markdown blocks. */
export const markdownOf = (m: WithBlocks) =>
  blocksOf(m)
    .filter((b) => b.type === 'markdown')
    .map((b) => String(b.text))
    .join('\n');

/** The text of the message's context blocks. */
export const contextOf = (m: WithBlocks) =>
  blocksOf(m)
    .filter((b) => b.type === 'context')
    .flatMap((b) => (b.elements ?? []).map((e) => String(e.text)))
    .join('\n');

/** The value of the message's button with this action_id. */
export const buttonValue = (m: WithBlocks, actionId: string) =>
  blocksOf(m)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === actionId)?.value as string | undefined;
