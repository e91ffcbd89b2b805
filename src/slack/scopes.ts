/**
 * The bot scopes the app asks for in manifest.yml, and what each one is for. Start-up compares
 * them with the token's scopes (auth.test's x-oauth-scopes): a missing required scope stops the
 * bot with one line, a missing optional one is logged once. test/project/scopes.test.ts keeps
 * this list, manifest.yml and the Web API methods the code calls in step.
 */
export const BOT_SCOPES = {
  required: {
    'app_mentions:read': 'receive mentions',
    'channels:history': 'read threads in public channels',
    'groups:history': 'read threads in private channels',
    'im:history': 'read direct messages',
    'channels:read': 'check a channel before summarizing it',
    'groups:read': 'check a private channel before summarizing it',
    'chat:write': 'post and stream answers',
    'users:read': 'show people’s names',
    commands: '/summarize',
  },
  optional: {
    'assistant:write': 'suggested prompts in DMs',
    'files:read': 'reading the files people share',
    // Workspace search (profile workspace_search): Slack's Real-time Search API, one scope per
    // kind of conversation searched; it searches only what the asking person can read.
    'search:read.public': 'workspace search in public channels',
    'search:read.private': 'workspace search in private channels',
    'search:read.mpim': 'workspace search in group DMs',
    'search:read.im': 'workspace search in DMs',
    'canvases:write': 'saving summaries and routine digests as canvases',
    'canvases:read': 'finding a routine canvas’s sections; reading canvases shared in a conversation',
  },
} as const;

export type BotScope = keyof (typeof BOT_SCOPES)['required'] | keyof (typeof BOT_SCOPES)['optional'];

/** The scopes of each kind that `granted` lacks; undefined when Slack did not say (no header). */
export function missingScopes(
  granted: readonly string[] | undefined,
): { required: string[]; optional: string[] } | undefined {
  if (!granted) return undefined;
  const has = new Set(granted);
  const lacking = (list: object) => Object.keys(list).filter((s) => !has.has(s));
  return { required: lacking(BOT_SCOPES.required), optional: lacking(BOT_SCOPES.optional) };
}
