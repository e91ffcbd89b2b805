/**
 * Modals: views.open with a trigger_id, and the view_submission / view_closed payloads a person's
 * submit or close sends back. Slack's rules, enforced:
 * - a trigger_id is valid for 3 seconds and can be exchanged once (`expired_trigger_id`,
 *   `exchanged_trigger_id`; an unknown one is `invalid_trigger_id`);
 *   @see https://docs.slack.dev/interactivity/handling-user-interaction#modal_responses
 *   @see https://docs.slack.dev/reference/methods/views.open
 * - a modal's title, submit and close are plain_text of at most 24 characters; at most 100 blocks;
 *   private_metadata at most 3,000 characters; callback_id at most 255; a view with input blocks
 *   needs a submit button; a view is at most 250 kB (`view_too_large`);
 *   @see https://docs.slack.dev/reference/views/modal-views
 * - an input block's label is plain_text of at most 2,000 characters; a plain_text_input's
 *   max_length at most 3,000; radio_buttons at most 10 options.
 *   @see https://docs.slack.dev/reference/block-kit/blocks/input-block
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'node:querystring';
import { type ActionDeps, actingTeam } from './actions.js';
import { newTriggerId, payloadUser } from './events.js';
import { type ApiContext, fail, jsonArg, strArg } from './shapes.js';
import type { ApiResult, DeliveryResult } from './types.js';

/** How long a trigger_id can open a view. */
export const TRIGGER_LIFETIME_MS = 3000;
const MAX_VIEW_BYTES = 250_000;
const MAX_TITLE = 24;
const MAX_BLOCKS = 100;
const MAX_METADATA = 3000;
const MAX_CALLBACK_ID = 255;
const MAX_LABEL = 2000;
const MAX_INPUT_LENGTH = 3000;
const MAX_RADIO_OPTIONS = 10;

interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

/** An open modal: who sees it and what the app sent. */
export interface SimView {
  id: string;
  user: string;
  view: Record<string, unknown>;
  open: boolean;
}

/** Trigger ids issued with interactions, and the modals opened with them. */
export class SimViews {
  private readonly triggers = new Map<string, Trigger>();
  readonly opened: SimView[] = [];
  /** For tests: the clock trigger lifetimes are measured with. */
  now: () => number = Date.now;

  /** A new trigger_id for an interaction by `user`. */
  issue(user: string): string {
    const id = newTriggerId();
    this.triggers.set(id, { user, issuedAt: this.now(), used: false });
    return id;
  }

  /** Takes a trigger once; the error Slack answers otherwise. */
  exchange(id: string | undefined): { user: string } | { error: string } {
    const t = id ? this.triggers.get(id) : undefined;
    if (!t) return { error: 'invalid_trigger_id' };
    if (t.used) return { error: 'exchanged_trigger_id' };
    if (this.now() - t.issuedAt > TRIGGER_LIFETIME_MS) return { error: 'expired_trigger_id' };
    t.used = true;
    return { user: t.user };
  }

  find(id: string): SimView | undefined {
    return this.opened.find((v) => v.id === id);
  }
}

const plain = (v: unknown, max: number) =>
  typeof v === 'object' &&
  v !== null &&
  (v as { type?: unknown }).type === 'plain_text' &&
  typeof (v as { text?: unknown }).text === 'string' &&
  (v as { text: string }).text.length > 0 &&
  (v as { text: string }).text.length <= max;

/** What is wrong with a modal view, if anything (Slack answers `invalid_arguments`). */
export function modalProblem(view: Record<string, unknown>): string | undefined {
  if (view.type !== 'modal') return 'view.type must be modal';
  if (!plain(view.title, MAX_TITLE)) return `title must be plain_text of at most ${MAX_TITLE} characters`;
  for (const k of ['submit', 'close'])
    if (view[k] !== undefined && !plain(view[k], MAX_TITLE))
      return `${k} must be plain_text of at most ${MAX_TITLE} characters`;
  const blocks = view.blocks;
  if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return `blocks: 1 to ${MAX_BLOCKS}`;
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > MAX_METADATA)
    return `private_metadata must be at most ${MAX_METADATA} characters`;
  if (typeof view.callback_id === 'string' && view.callback_id.length > MAX_CALLBACK_ID)
    return `callback_id must be at most ${MAX_CALLBACK_ID} characters`;
  const inputs = blocks.filter((b) => (b as { type?: unknown }).type === 'input');
  if (inputs.length > 0 && view.submit === undefined) return 'a view with input blocks needs submit';
  for (const b of inputs as Array<{ label?: unknown; element?: Record<string, unknown> }>) {
    if (!plain(b.label, MAX_LABEL)) return 'input label must be plain_text';
    const e = b.element ?? {};
    if (e.type === 'plain_text_input' && typeof e.max_length === 'number' && e.max_length > MAX_INPUT_LENGTH)
      return `max_length at most ${MAX_INPUT_LENGTH}`;
    if (e.type === 'radio_buttons' && (!Array.isArray(e.options) || e.options.length > MAX_RADIO_OPTIONS))
      return `radio_buttons: 1 to ${MAX_RADIO_OPTIONS} options`;
    if (typeof e.action_id !== 'string') return 'input elements need an action_id';
  }
  return undefined;
}

/** views.open (Tier 4; no scope: the trigger_id is the permission). */
export const viewHandlers: Record<string, (ctx: ApiContext, args: Record<string, unknown>) => ApiResult> = {
  'views.open': (ctx, args) => {
    const view = jsonArg(args, 'view');
    if (view.invalid || typeof view.value !== 'object' || view.value === null)
      return fail('invalid_arguments');
    if (Buffer.byteLength(JSON.stringify(view.value)) > MAX_VIEW_BYTES) return fail('view_too_large');
    const problem = modalProblem(view.value as Record<string, unknown>);
    if (problem)
      return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${problem}`] } });
    const taken = ctx.state.views.exchange(strArg(args, 'trigger_id'));
    if ('error' in taken) return fail(taken.error);
    const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
    const stored = { ...(view.value as Record<string, unknown>) };
    ctx.state.views.opened.push({ id, user: taken.user, view: stored, open: true });
    ctx.state.changed();
    return {
      ok: true,
      view: { id, team_id: ctx.team.id, ...stored, state: { values: {} }, hash: `${Date.now()}.sim` },
    };
  },
};

/** What a person entered, by block_id then action_id, as Slack puts it in view.state.values. */
export type ViewValues = Record<string, Record<string, Record<string, unknown>>>;

function deliver(deps: ActionDeps, payload: Record<string, unknown>): Promise<DeliveryResult> {
  return deps.deliverer.send('interactive', payload, {
    body: stringify({ payload: JSON.stringify(payload) }),
    contentType: 'application/x-www-form-urlencoded',
  });
}

function viewPayload(deps: ActionDeps, v: SimView, values: ViewValues) {
  const { state } = deps;
  // A modal belongs to the workspace of the person it was opened for.
  const team = actingTeam(deps, { user: v.user });
  return {
    token: 'sim-verification-token',
    api_app_id: state.id.appId,
    team: { id: team.id, domain: team.domain },
    user: payloadUser(state, v.user),
    is_enterprise_install: team.orgWide,
    enterprise: team.enterprise ?? null,
    view: {
      id: v.id,
      team_id: team.id,
      type: 'modal',
      ...v.view,
      state: { values },
      app_id: state.id.appId,
      bot_id: state.id.botId,
    },
  };
}

/** The person submits an open modal: a view_submission payload (its ack may carry errors). */
export function submitView(
  deps: ActionDeps,
  s: { user: string; viewId: string; values: ViewValues },
): Promise<DeliveryResult> {
  const v = deps.state.views.find(s.viewId);
  if (!v?.open || v.user !== s.user) throw new Error(`SlackSim: no open view ${s.viewId} for ${s.user}`);
  const payload = {
    type: 'view_submission',
    ...viewPayload(deps, v, s.values),
    trigger_id: deps.state.views.issue(s.user),
  };
  return deliver(deps, payload).then((r) => {
    // An ack with response_action "errors" keeps the modal open; anything else closes it.
    let errors = false;
    try {
      errors = (JSON.parse(r.body || '{}') as { response_action?: string }).response_action === 'errors';
    } catch {}
    if (r.status === 200 && !errors) {
      v.open = false;
      deps.state.changed();
    }
    return r;
  });
}

/** The person closes (cancels) a modal: view_closed reaches the app only with notify_on_close. */
export async function closeView(
  deps: ActionDeps,
  s: { user: string; viewId: string },
): Promise<DeliveryResult | undefined> {
  const v = deps.state.views.find(s.viewId);
  if (!v?.open || v.user !== s.user) throw new Error(`SlackSim: no open view ${s.viewId} for ${s.user}`);
  v.open = false;
  deps.state.changed();
  if (v.view.notify_on_close !== true) return undefined;
  return deliver(deps, { type: 'view_closed', ...viewPayload(deps, v, {}), is_cleared: false });
}
