// The sandbox page: keeps the workspace state from server-sent events, draws it, and turns clicks
// and typing into POSTs that the server passes to the simulated Slack.
import { renderPanel } from './panel.js';
import { renderSlack } from './render.js';
import { channelName, el, messageNode, promptsNode, userName, withDayDividers } from './view.js';

const $ = (id) => document.getElementById(id);
const ui = {
  /** The workspace shown (the rail); the person and the channel are of it. */
  team: '',
  me: '',
  channel: 'C0GENERAL',
  /** Who you were and where, in each workspace you left: coming back shows the same place. */
  left: {},
  thread: null,
  /** The canvas open beside the channel (in the thread's place). */
  canvas: null,
  highlight: null,
  panelOpen: false,
  notices: [],
  toBottom: true,
};
let ws = null;
let panel = null;

/** An action in the workspace shown: the server checks the person and conversation are of it. */
async function send(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ team: ui.team, ...body }),
  });
  const out = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) notice(out.error ?? `HTTP ${res.status}`);
  else if (out.notice) notice(out.notice);
  return out;
}

/** A Slackbot line only this page shows, for what Slack itself would tell the user. */
function notice(text) {
  ui.notices.push({ channel: ui.channel, text, ts: String(Date.now() / 1000) });
  draw();
}

const isTopLevel = (m) => !m.thread_ts || m.thread_ts === m.ts;
const conv = () => ws.conversations.find((c) => c.id === ui.channel);
const myEphemerals = (thread) =>
  ws.ephemerals.filter(
    (e) => e.user === ui.me && e.channel === ui.channel && (thread ? e.thread_ts === thread : !e.thread_ts),
  );

/** Enters another workspace as the person you were there (or its first), in no channel yet. */
function enterTeam(id) {
  if (id === ui.team) return;
  ui.left[ui.team] = { me: ui.me, channel: ui.channel };
  ui.team = id;
  ui.me = ui.left[id]?.me ?? ws.users.find((u) => !u.isBot && u.team === id)?.id ?? '';
  ui.thread = null;
  ui.canvas = null;
  ui.highlight = null;
  ui.toBottom = true;
}

/** The rail's click: that workspace, where you were in it (or its first channel). */
function switchTeam(id) {
  enterTeam(id);
  ui.channel =
    ui.left[id]?.channel ?? ws.conversations.find((c) => !c.isIm && c.team === id)?.id ?? ui.channel;
  draw();
}

/** Shows the workspace a conversation is in (a link may lead to another one). */
function showTeamOf(channel) {
  const team = ws.conversations.find((c) => c.id === channel)?.team;
  if (team) enterTeam(team);
}

function drawRail() {
  const rail = $('teams');
  rail.replaceChildren(
    ...ws.teams.map((t) => {
      const b = el('button', `rail-team${t.id === ui.team ? ' active' : ''}`);
      b.type = 'button';
      b.dataset.team = t.id;
      b.title = `${t.name} workspace`;
      b.setAttribute('aria-label', `${t.name} workspace`);
      b.append(el('span', 'rail-icon', t.name.charAt(0).toUpperCase()), el('span', 'rail-name', t.name));
      return b;
    }),
  );
  $('team-name').textContent = ws.teams.find((t) => t.id === ui.team)?.name ?? '';
  // The steps start from the first workspace's seeded day: shown there only.
  $('try').hidden = ui.team !== ws.teams[0]?.id;
}

function drawSidebar() {
  drawRail();
  const me = $('me');
  if (me.dataset.team !== ui.team) {
    me.replaceChildren(
      ...ws.users
        .filter((x) => !x.isBot && x.team === ui.team)
        .map((u) => new Option(`${u.realName} (@${u.name})`, u.id)),
    );
    me.dataset.team = ui.team;
  }
  me.value = ui.me;
  const nav = $('channels');
  nav.replaceChildren(el('div', 'nav-title', 'Channels'));
  const entry = (id, label, extra) => {
    const b = el('button', `nav-item${id === ui.channel ? ' active' : ''}`, label);
    b.type = 'button';
    b.dataset.channel = id;
    if (extra) b.dataset.dm = '1';
    nav.append(b);
  };
  for (const c of ws.conversations.filter((x) => !x.isIm && x.team === ui.team))
    entry(c.id, `${c.isPrivate ? '🔒' : '#'} ${c.name}`);
  nav.append(el('div', 'nav-title', 'Direct messages'));
  const bot = ws.users.find((u) => u.isBot);
  const dm = ws.conversations.find((c) => c.isIm && c.user === ui.me);
  entry(dm?.id ?? 'dm', `● ${bot?.realName ?? 'Claude'}`, true);
}

function threadNodes(list, thread) {
  const inThread = (m) => (thread ? m.thread_ts === thread || m.ts === thread : isTopLevel(m));
  const dm = conv()?.isIm;
  const nodes = list.filter(inThread).map((m) => ({
    ts: m.ts,
    node: messageNode(ws, m, {
      actions: !dm && !thread,
      replies: !dm && !thread,
      highlight: m.ts === ui.highlight,
    }),
  }));
  // In the DM (agent view), each answer is shown under the message it answers, like Slack does.
  if (dm && !thread) {
    for (const m of list.filter((x) => !isTopLevel(x))) {
      const node = messageNode(ws, m, { highlight: m.ts === ui.highlight });
      node.classList.add('inline-reply');
      nodes.push({ ts: m.ts, node, parent: m.thread_ts });
    }
  }
  // Ephemerals come from the app; `user` on them is who sees them.
  for (const e of myEphemerals(thread))
    nodes.push({ ts: e.ts, node: messageNode(ws, { ...e, user: ws.botUserId }, { ephemeral: true }) });
  if (!thread) {
    for (const n of ui.notices.filter((x) => x.channel === ui.channel))
      nodes.push({ ts: n.ts, node: messageNode(ws, { ts: n.ts, text: n.text }, { ephemeral: true }) });
  }
  const key = (n) => `${n.parent ?? n.ts}:${n.ts}`;
  nodes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const p of ws.prompts.filter((x) => x.channel === ui.channel)) {
    const at = nodes.findIndex((n) => n.ts === p.thread_ts);
    if (at !== -1) nodes.splice(at + 1, 0, { node: promptsNode(p) });
  }
  const status = Object.entries(ws.statuses).filter(([k]) => k.startsWith(`${ui.channel}:`));
  for (const [k, text] of status) {
    if (thread ? k === `${ui.channel}:${thread}` : dm) {
      nodes.push({ node: el('div', 'status', `${userName(ws, ws.botUserId)} ${text}`) });
    }
  }
  return nodes;
}

function fill(root, nodes, keepScroll) {
  const atBottom = root.scrollHeight - root.scrollTop - root.clientHeight < 40;
  root.replaceChildren(...withDayDividers(nodes));
  const target = ui.highlight && root.querySelector(`[data-ts="${ui.highlight}"]`);
  if (target) target.scrollIntoView({ block: 'center' });
  else if (atBottom || !keepScroll || ui.toBottom) root.scrollTop = root.scrollHeight;
}

let lastChannel = null;
let lastThread = null;
function draw() {
  if (!ws) return;
  drawSidebar();
  const c = conv();
  const title = c ? (c.isIm ? userName(ws, ws.botUserId) : `${c.isPrivate ? '🔒' : '#'} ${c.name}`) : '';
  $('channel-title').textContent = title;
  $('channel-sub').textContent = c?.isIm
    ? 'Your direct messages with the bot (its Messages tab)'
    : 'Mention @claude for an answer in the thread · /summarize [200 | 3h | 2d | thread link | public | help]';
  $('composer-text').placeholder = c?.isIm
    ? 'Message Claude'
    : `Message ${title} — try @claude or /summarize`;
  fill($('messages'), threadNodes(ws.messages[ui.channel] ?? [], null), lastChannel === ui.channel);
  lastChannel = ui.channel;
  drawCanvases();
  $('thread').hidden = !ui.thread && !ui.canvas;
  $('thread-messages').hidden = Boolean(ui.canvas);
  $('thread-composer').hidden = Boolean(ui.canvas);
  $('canvas-view').hidden = !ui.canvas;
  if (ui.canvas) {
    const canvas = (ws.canvases ?? []).find((x) => x.id === ui.canvas);
    $('thread-title').textContent =
      `📄 ${canvas?.title || 'Canvas'}${canvas?.edits ? ` · edited ${canvas.edits}×` : ''}`;
    $('canvas-view').innerHTML = canvas
      ? renderSlack(canvas.markdown.replace(/!\[\]\(@(\w+)\)/g, '<@$1>'), {
          markdown: true,
          userName: (id) => userName(ws, id),
          channelName: (id) => channelName(ws, id),
        })
      : '';
  } else if (ui.thread) {
    $('thread-title').textContent = `Thread in ${c?.isIm ? 'DM' : `#${channelName(ws, ui.channel)}`}`;
    fill(
      $('thread-messages'),
      threadNodes(ws.messages[ui.channel] ?? [], ui.thread),
      lastThread === ui.thread,
    );
  }
  lastThread = ui.thread;
  drawModal();
}

/** A modal the app opened for you (views.open): radio buttons and text inputs, Send or close. */
let shownModal = null;
function drawModal() {
  const box = $('modal');
  const open = (ws.views ?? []).find((v) => v.user === ui.me);
  if (!open) {
    box.hidden = true;
    box.replaceChildren();
    shownModal = null;
    return;
  }
  if (shownModal === open.id) return;
  shownModal = open.id;
  const v = open.view;
  const form = el('form', 'modal');
  form.append(el('div', 'modal-title', v.title?.text ?? ''));
  for (const b of v.blocks ?? []) {
    if (b.type !== 'input') continue;
    const field = el('fieldset', 'modal-field');
    field.append(el('legend', '', `${b.label?.text ?? ''}${b.optional ? '' : ' *'}`));
    const e = b.element ?? {};
    if (e.type === 'radio_buttons') {
      for (const o of e.options ?? []) {
        const label = el('label', 'modal-option');
        const input = el('input');
        input.type = 'radio';
        input.name = `${b.block_id}/${e.action_id}`;
        input.value = o.value;
        input.required = !b.optional;
        label.append(input, ` ${o.text?.text ?? o.value}`);
        field.append(label);
      }
    } else if (e.type === 'plain_text_input') {
      const input = el(e.multiline ? 'textarea' : 'input');
      input.name = `${b.block_id}/${e.action_id}`;
      if (e.max_length) input.maxLength = e.max_length;
      field.append(input);
    }
    form.append(field);
  }
  const buttons = el('div', 'modal-buttons');
  const close = el('button', 'block-button', v.close?.text ?? 'Cancel');
  close.type = 'button';
  close.addEventListener('click', () => send('/api/view', { user: ui.me, viewId: open.id, close: true }));
  const submit = el('button', 'block-button primary', v.submit?.text ?? 'Submit');
  submit.type = 'submit';
  buttons.append(close, submit);
  form.append(buttons);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const values = {};
    for (const b of v.blocks ?? []) {
      if (b.type !== 'input') continue;
      const e = b.element ?? {};
      const name = `${b.block_id}/${e.action_id}`;
      const input = form.querySelector(
        `[name="${CSS.escape(name)}"]${e.type === 'radio_buttons' ? ':checked' : ''}`,
      );
      const value =
        e.type === 'radio_buttons'
          ? { type: e.type, selected_option: input ? { value: input.value } : null }
          : { type: e.type, value: input?.value || null };
      values[b.block_id] = { [e.action_id]: value };
    }
    await send('/api/view', { user: ui.me, viewId: open.id, values });
  });
  box.replaceChildren(form);
  box.hidden = false;
}

/** The canvases tabbed in this channel (Slack shows them as tabs at the top of the channel). */
function drawCanvases() {
  const strip = $('channel-canvases');
  const here = (ws.canvases ?? []).filter((c) => c.channel === ui.channel);
  strip.replaceChildren(
    ...here.map((c) => {
      const b = el('button', `canvas-tab${c.id === ui.canvas ? ' active' : ''}`, `📄 ${c.title || 'Canvas'}`);
      b.type = 'button';
      b.dataset.canvas = c.id;
      return b;
    }),
  );
}

/** A canvas link (…/docs/T…/F…) opens the canvas beside the channel. */
function openCanvasLink(href) {
  const m = /\/docs\/[A-Z0-9]+\/(F[A-Z0-9]+)$/.exec(href);
  const canvas = m && (ws.canvases ?? []).find((c) => c.id === m[1]);
  if (!canvas) return false;
  if (canvas.channel) {
    showTeamOf(canvas.channel);
    ui.channel = canvas.channel;
  }
  ui.canvas = canvas.id;
  ui.thread = null;
  draw();
  return true;
}

function drawBanner() {
  if (!panel) return;
  const banner = $('banner-model');
  banner.textContent = panel.model.label;
  $('banner').className = `banner ${panel.model.mode}`;
  if (ui.panelOpen) renderPanel($('panel-body'), panel, send);
}

async function openChannel(id, isDm) {
  ui.thread = null;
  ui.canvas = null;
  ui.highlight = null;
  ui.toBottom = true;
  if (isDm) {
    const out = await send('/api/open-dm', { user: ui.me });
    if (out.channel) ui.channel = out.channel;
  } else ui.channel = id;
  draw();
}

/** Permalinks (…/archives/C123/p1732550400000100?thread_ts=…) open the message here. */
function openPermalink(href) {
  const m = /\/archives\/([A-Z0-9]+)\/p(\d{7,})(?:\?(.*))?$/.exec(href);
  if (!m || !ws.messages[m[1]]) return false;
  const ts = `${m[2].slice(0, -6)}.${m[2].slice(-6)}`;
  const threadTs = new URLSearchParams(m[3] ?? '').get('thread_ts');
  const msg = ws.messages[m[1]].find((x) => x.ts === ts);
  showTeamOf(m[1]);
  ui.channel = m[1];
  ui.thread = threadTs ?? (msg?.reply_count ? ts : null);
  ui.canvas = null;
  ui.highlight = ts;
  draw();
  return true;
}

/** Seeded #general messages the "Try this first" steps start from. */
const TRY = {
  thread: 'Planning notes:',
  'summarize-thread': 'Support ticket trend',
};

/** A "Try this first" step: shows where to look and prepares the words, the person presses Enter. */
function tryThis(step) {
  showTeamOf('C0GENERAL');
  ui.channel = 'C0GENERAL';
  ui.thread = null;
  ui.highlight = null;
  const start = (ws.messages.C0GENERAL ?? []).find(
    (m) => isTopLevel(m) && m.text.startsWith(TRY[step] ?? '\0'),
  );
  if (step === 'thread' && start) ui.thread = start.ts;
  // The message's menu stays open on a highlighted message, so "Summarize thread" is in sight.
  if (step === 'summarize-thread' && start) ui.highlight = start.ts;
  draw();
  const box = step === 'thread' ? $('thread-text') : $('composer-text');
  if (step === 'thread') box.value = '@claude who covers support triage during dark mode QA?';
  if (step === 'summarize') box.value = '/summarize 2h';
  box.focus();
}

document.addEventListener('click', async (ev) => {
  const t = ev.target.closest('a, button');
  if (!t) return;
  if (t.tagName === 'A') {
    if (openPermalink(t.href) || openCanvasLink(t.href)) ev.preventDefault();
    return;
  }
  const d = t.dataset;
  if (d.canvas) {
    ui.canvas = ui.canvas === d.canvas ? null : d.canvas;
    ui.thread = null;
    draw();
    return;
  }
  if (d.team) switchTeam(d.team);
  else if (d.try) tryThis(d.try);
  else if (d.channel) await openChannel(d.channel, d.dm === '1');
  else if (d.openThread) {
    ui.thread = d.openThread;
    ui.canvas = null;
    ui.highlight = null;
    draw();
  } else if (d.shortcut) {
    // Slack answers a shortcut on a thread in that thread: open it to show the summary there.
    const msg = ws.messages[ui.channel]?.find((m) => m.ts === d.shortcut);
    if (msg?.reply_count || (msg?.thread_ts && msg.thread_ts !== msg.ts)) ui.thread = msg.thread_ts ?? msg.ts;
    draw();
    await send('/api/shortcut', { user: ui.me, channel: ui.channel, ts: d.shortcut });
  } else if (d.prompt) await send('/api/message', { user: ui.me, channel: ui.channel, text: d.prompt });
  else if (d.actionId) {
    const row = t.closest('.message');
    const stored = row && !row.classList.contains('ephemeral') ? row.dataset.ts : undefined;
    await send('/api/action', {
      user: ui.me,
      channel: ui.channel,
      actionId: d.actionId,
      value: d.value,
      messageTs: stored,
    });
  }
});

/** The file picked (button) or dropped on a composer, as the page server takes it: base64. */
async function pickedFile(input) {
  const f = input?.files?.[0];
  if (!f) return undefined;
  const url = await new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.readAsDataURL(f);
  });
  input.value = '';
  return { name: f.name, type: f.type, data: url.slice(url.indexOf(',') + 1) };
}

function composer(formId, textId, thread, fileId) {
  const form = $(formId);
  const text = $(textId);
  const fileInput = fileId ? $(fileId) : null;
  if (fileInput) {
    // Drag and drop a file onto the composer: the same as picking it with the button.
    form.addEventListener('dragover', (ev) => ev.preventDefault());
    form.addEventListener('drop', (ev) => {
      ev.preventDefault();
      if (ev.dataTransfer?.files?.length) fileInput.files = ev.dataTransfer.files;
    });
  }
  const submit = async () => {
    const value = text.value.trim();
    const file = await pickedFile(fileInput);
    if (!value && !file) return;
    text.value = '';
    ui.highlight = null;
    const threadTs = thread();
    const out = await send('/api/message', {
      user: ui.me,
      channel: ui.channel,
      text: value,
      threadTs,
      ...(file ? { file } : {}),
    });
    // What you sent (or Slack's answer to a command) is at the bottom: show it.
    ui.toBottom = true;
    draw();
    // A mention starts a thread: open it, so the answer is seen streaming in.
    if (out.ts && !threadTs && !conv()?.isIm && /@claude\b/i.test(value)) {
      ui.thread = out.ts;
      draw();
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  text.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      submit();
    }
  });
}

composer('composer', 'composer-text', () => undefined, 'composer-file');
composer('thread-composer', 'thread-text', () => ui.thread);
$('close-thread').addEventListener('click', () => {
  ui.thread = null;
  ui.canvas = null;
  draw();
});
$('me').addEventListener('change', async (ev) => {
  ui.me = ev.target.value;
  if (conv()?.isIm) await openChannel(null, true);
  else draw();
});
$('panel-toggle').addEventListener('click', () => {
  ui.panelOpen = !ui.panelOpen;
  $('panel').hidden = !ui.panelOpen;
  drawBanner();
});

const events = new EventSource('/api/events');
events.addEventListener('workspace', (ev) => {
  ws = JSON.parse(ev.data);
  if (!ui.team) ui.team = ws.teams[0]?.id ?? '';
  if (!ui.me) ui.me = ws.users.find((u) => !u.isBot && u.team === ui.team)?.id ?? '';
  draw();
  document.body.dataset.ready = '1';
});
events.addEventListener('panel', (ev) => {
  panel = JSON.parse(ev.data);
  drawBanner();
});
