// Turns the workspace state into DOM: sidebar, channel, thread pane. Text is set with textContent;
// message bodies come from render.js, which escapes before it formats.
import { escapeHtml, renderSlack } from './render.js';

const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#2c7a7b', '#975a16'];

/** Small helper: an element with a class and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function userName(ws, id) {
  const u = ws.users.find((x) => x.id === id);
  return u ? (u.isBot ? u.realName : u.name) : id;
}

export function channelName(ws, id) {
  return ws.conversations.find((c) => c.id === id)?.name ?? id;
}

function renderCtx(ws, markdown) {
  return { markdown, userName: (id) => userName(ws, id), channelName: (id) => channelName(ws, id) };
}

export function tsDate(ts) {
  return new Date(Number(ts.split('.')[0]) * 1000);
}

function clock(ts) {
  return tsDate(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric' });
}

function avatar(ws, id) {
  const u = ws.users.find((x) => x.id === id);
  const name = u ? u.realName || u.name : '?';
  const node = el('div', `avatar${u?.isBot ? ' bot' : ''}`, name.charAt(0).toUpperCase());
  const n = [...(id ?? '')].reduce((s, c) => s + c.charCodeAt(0), 0);
  if (!u?.isBot) node.style.background = COLORS[n % COLORS.length];
  return node;
}

function plainText(t) {
  return typeof t === 'string' ? t : (t?.text ?? '');
}

/** Block Kit → HTML for the block types the bot uses; buttons carry what a click must send. */
function blocksHtml(ws, blocks, skipMarkdown) {
  const parts = [];
  for (const b of blocks ?? []) {
    if (b.type === 'markdown' && !skipMarkdown) parts.push(renderSlack(b.text, renderCtx(ws, true)));
    else if (b.type === 'section') {
      const md = b.text?.type === 'mrkdwn';
      if (b.text)
        parts.push(md ? renderSlack(b.text.text, renderCtx(ws, false)) : `<p>${escapeHtml(b.text.text)}</p>`);
      for (const f of b.fields ?? []) parts.push(renderSlack(plainText(f), renderCtx(ws, false)));
      if (b.accessory?.type === 'button') parts.push(`<div class="actions">${buttonHtml(b.accessory)}</div>`);
    } else if (b.type === 'plan') parts.push(planHtml(blockPlan(b)));
    else if (b.type === 'header') parts.push(`<p class="heading">${escapeHtml(plainText(b.text))}</p>`);
    else if (b.type === 'divider') parts.push('<hr>');
    else if (b.type === 'context') {
      const texts = (b.elements ?? []).filter((e) => e.type !== 'image').map((e) => plainText(e));
      parts.push(`<div class="context">${renderSlack(texts.join('  '), renderCtx(ws, false))}</div>`);
    } else if (b.type === 'actions') {
      const buttons = (b.elements ?? []).filter((e) => e.type === 'button').map(buttonHtml);
      parts.push(`<div class="actions">${buttons.join('')}</div>`);
    } else if (b.type === 'context_actions') {
      // Slack's feedback buttons (👍 / 👎 under an answer): a click sends the element's action_id
      // with the value of the button pressed.
      const buttons = (b.elements ?? [])
        .filter((e) => e.type === 'feedback_buttons')
        .flatMap((e) =>
          [e.positive_button, e.negative_button]
            .filter(Boolean)
            .map((btn) => buttonHtml({ ...btn, action_id: e.action_id })),
        );
      parts.push(`<div class="actions feedback">${buttons.join('')}</div>`);
    }
  }
  return parts.join('');
}

function buttonHtml(e) {
  const style = e.style === 'primary' || e.style === 'danger' ? ` ${e.style}` : '';
  const label = e.accessibility_label ? ` aria-label="${escapeHtml(e.accessibility_label)}"` : '';
  return `<button type="button" class="block-button${style}"${label} data-action-id="${escapeHtml(e.action_id ?? '')}" data-value="${escapeHtml(e.value ?? '')}">${escapeHtml(plainText(e.text))}</button>`;
}

/** The words of a rich_text object (a task card's details or output). */
function richTextWords(r) {
  return (r?.elements ?? [])
    .flatMap((section) => section.elements ?? [])
    .map((e) => e.text ?? '')
    .join('');
}

/** A `plan` block (task cards) as the plan a streamed message's chunks fold into. */
function blockPlan(b) {
  return {
    mode: 'plan',
    title: plainText(b.title),
    tasks: (b.tasks ?? []).map((t) => ({
      id: t.task_id,
      title: t.title,
      status: t.status ?? 'pending',
      details: richTextWords(t.details) || undefined,
      output: richTextWords(t.output) || undefined,
    })),
  };
}

const TASK_ICONS = { pending: '○', in_progress: '◔', complete: '✓', error: '✕' };

/** A streamed message's plan (task_update / plan_update chunks): a title and one line per task. */
export function planHtml(plan) {
  if (!plan) return '';
  const tasks = plan.tasks
    .map((t) => {
      const icon = TASK_ICONS[t.status] ?? '○';
      const extra = [t.details, t.output]
        .filter(Boolean)
        .map((x) => `<div class="task-detail">${escapeHtml(x)}</div>`);
      return `<li class="task ${escapeHtml(t.status)}"><span class="task-icon">${icon}</span> ${escapeHtml(t.title)}${extra.join('')}</li>`;
    })
    .join('');
  const title = plan.title ? `<div class="plan-title">${escapeHtml(plan.title)}</div>` : '';
  return `<div class="plan ${escapeHtml(plan.mode)}">${title}<ul>${tasks}</ul></div>`;
}

/** The visible body of a message: streamed Markdown, Block Kit, or mrkdwn text. */
export function bodyHtml(ws, m) {
  const blocks = (m.blocks ?? []).filter((b) => b.type !== 'rich_text');
  if (m.streamed)
    return planHtml(m.plan) + renderSlack(m.text, renderCtx(ws, true)) + blocksHtml(ws, blocks, true);
  if (blocks.length) return blocksHtml(ws, blocks, false);
  return renderSlack(m.text, renderCtx(ws, false));
}

/**
 * One message row. opts: { actions: bool (hover actions), replies: bool (reply count link),
 * ephemeral: bool, highlight: bool }. Interactive parts carry data-* attributes app.js acts on.
 */
export function messageNode(ws, m, opts = {}) {
  const row = el('div', 'message');
  row.dataset.ts = m.ts;
  if (opts.ephemeral) row.classList.add('ephemeral');
  if (opts.highlight) row.classList.add('highlight');
  if (m.streaming) row.classList.add('streaming');
  row.append(avatar(ws, m.user));
  const main = el('div', 'message-main');
  const head = el('div', 'message-head');
  const author = ws.users.find((u) => u.id === m.user);
  head.append(el('span', 'author', m.user ? userName(ws, m.user) : 'Slackbot'));
  if (author?.isBot) head.append(el('span', 'badge', 'APP'));
  head.append(el('span', 'time', clock(m.ts)));
  if (m.edited) head.append(el('span', 'time', '(edited)'));
  main.append(head);
  const body = el('div', 'message-body');
  body.innerHTML = bodyHtml(ws, m);
  if (m.streaming) body.append(el('span', 'cursor', '▍'));
  main.append(body);
  if (opts.ephemeral) main.append(el('div', 'only-you', '👁 Only visible to you'));
  if (opts.replies && m.reply_count) {
    const link = el('button', 'replies', `${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}`);
    link.type = 'button';
    link.dataset.openThread = m.ts;
    const last = m.latest_reply ? ` · last reply ${clock(m.latest_reply)}` : '';
    main.append(link, el('span', 'replies-meta', last));
  }
  row.append(main);
  if (opts.actions && !opts.ephemeral) {
    const bar = el('div', 'message-actions');
    const reply = el('button', '', '💬 Reply in thread');
    reply.type = 'button';
    reply.dataset.openThread = m.thread_ts ?? m.ts;
    const summarize = el('button', 'summarize-thread', '✨ Summarize thread');
    summarize.type = 'button';
    summarize.dataset.shortcut = m.ts;
    bar.append(reply, summarize);
    row.append(bar);
  }
  return row;
}

/** Day dividers between messages of different days, like Slack's (nodes without ts get none). */
export function withDayDividers(nodes) {
  const out = [];
  let day = '';
  for (const { ts, node } of nodes) {
    const d = ts ? tsDate(ts) : undefined;
    if (d && d.toDateString() !== day) {
      day = d.toDateString();
      out.push(el('div', 'day-divider', dayLabel(d)));
    }
    out.push(node);
  }
  return out;
}

/** Suggested prompts the bot set on a thread, as buttons that send them. */
export function promptsNode(entry) {
  const box = el('div', 'prompts');
  if (entry.title) box.append(el('div', 'prompts-title', entry.title));
  for (const p of entry.prompts) {
    const b = el('button', 'prompt', p.title ?? p.message);
    b.type = 'button';
    b.dataset.prompt = p.message ?? p.title;
    b.title = p.message ?? '';
    box.append(b);
  }
  return box;
}
