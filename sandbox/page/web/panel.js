// The operator panel: simulate trouble, watch the queue and cache, read what was sent to Claude,
// and every setting (read-only, secrets masked by the server).
import { el } from './view.js';

/** Each fault with what it does, in one line, so the operator knows what to look for. */
const FAULTS = [
  ['none', 'Normal', 'Claude answers as usual.'],
  [
    'rate_limited',
    'Claude 429 (rate limited)',
    'Every call gets 429 with retry-after: the bot retries, then says the plan’s limit is reached.',
  ],
  [
    'overloaded',
    'Claude 529 (overloaded)',
    'Anthropic is overloaded: after its retries the bot says so in the thread.',
  ],
  [
    'timeout',
    'Claude timeout (no answer)',
    'No first token arrives: after CLAUDE_FIRST_TOKEN_TIMEOUT_MS the bot says Claude took too long.',
  ],
  [
    'broken_stream',
    'Broken stream (cut midway)',
    'The connection drops after 90 characters: the part shown is marked as interrupted.',
  ],
  [
    'stalled_stream',
    'Stalled stream (goes silent midway)',
    'Tokens stop after 90 characters and the connection stays open: the bot gives up and says so.',
  ],
];

/** Which request details the reader opened, so the refresh every second keeps them open. */
const openRequests = new Set();

function section(title) {
  const s = el('section', 'panel-section');
  s.append(el('h3', '', title));
  return s;
}

function stat(label, value) {
  const row = el('div', 'stat');
  row.append(el('span', '', label), el('strong', '', String(value)));
  return row;
}

/** Redraws the panel into `root`; `send(path, body)` posts an action. */
export function renderPanel(root, panel, send) {
  // A profile menu being picked from is not redrawn under the reader: the next refresh draws it.
  const active = document.activeElement;
  if (active?.tagName === 'SELECT' && root.contains(active)) return;
  root.replaceChildren();
  const claude = section('Simulate trouble');
  const offline = panel.model.mode === 'offline';
  for (const [value, label, explain] of FAULTS) {
    const row = el('label', 'fault');
    const input = el('input');
    input.type = 'radio';
    input.name = 'claude-fault';
    input.value = value;
    input.checked = panel.fault === value;
    input.disabled = !offline;
    input.addEventListener('change', () => send('/api/fault', { claude: value }));
    row.append(input, document.createTextNode(` ${label}`), el('span', 'fault-explain', explain));
    claude.append(row);
  }
  if (!offline) claude.append(el('p', 'note', 'Claude faults are simulated with the offline model only.'));
  const slack = el('button', 'panel-button', 'Slack 429 on the next 3 writes of each chat method');
  slack.type = 'button';
  slack.addEventListener('click', () => send('/api/fault', { slack: 'rate_limit' }));
  claude.append(
    slack,
    el(
      'p',
      'fault-explain',
      'Slack answers posts and edits with 429: the bot’s Slack client waits retry-after and goes on.',
    ),
  );

  const profiles = profilesSection(panel.profiles, send);

  const traffic = section('Traffic');
  traffic.append(
    stat('Claude calls waiting in the queue', panel.queue.waiting),
    stat('Claude calls running', panel.queue.running),
    stat('Answers being written', panel.answers.inflight),
    stat('Answers served from the cache', panel.answers.cacheHits),
  );
  for (const [outcome, n] of Object.entries(panel.answers.byOutcome))
    traffic.append(stat(`Answers: ${outcome}`, n));

  const requests = section('Last requests sent to Claude');
  if (!panel.requests.length) {
    requests.append(
      el(
        'p',
        'note',
        offline
          ? 'None yet: mention @claude or open the DM.'
          : 'Sent straight to the Anthropic API (not recorded).',
      ),
    );
  }
  for (const r of panel.requests) {
    const d = el('details', 'request');
    d.open = openRequests.has(r.at);
    d.addEventListener('toggle', () => (d.open ? openRequests.add(r.at) : openRequests.delete(r.at)));
    const time = new Date(r.at).toLocaleTimeString();
    d.append(
      el(
        'summary',
        '',
        `${time} · ${r.model} · ~${r.inputTokensEstimate} input tokens · max ${r.maxTokens}${r.tools?.length ? ` · ${r.tools.join(', ')}` : ''}`,
      ),
    );
    d.append(el('div', 'label', 'System prompt'), el('pre', 'system', r.system));
    d.append(el('div', 'label', `Messages (${r.messages.length})`));
    for (const m of r.messages)
      d.append(el('div', 'request-message', `${m.role} · ${m.chars} chars: ${m.preview}`));
    requests.append(d);
  }

  const calls = section(`Slack calls by the bot, newest first (${panel.slackCallsTotal} in all)`);
  for (const c of panel.slackCalls) {
    const times = c.count > 1 ? ` ×${c.count}` : '';
    calls.append(
      el('div', `call ${c.ok ? 'ok' : 'failed'}`, `${c.method}${times}${c.ok ? '' : ` → ${c.error}`}`),
    );
  }

  const settings = section('Settings (read-only)');
  const table = el('table', 'settings');
  for (const [name, value] of panel.settings) {
    const tr = el('tr');
    tr.append(el('td', '', name), el('td', '', value));
    table.append(tr);
  }
  settings.append(table);
  root.append(claude, profiles, traffic, requests, calls, settings);
}

/** Which profile each channel gets (switchable when the sandbox wrote the file), and the profiles. */
function profilesSection(view, send) {
  const s = section('Channel profiles');
  s.append(
    el(
      'p',
      'note',
      view.editable
        ? 'A profile gives a channel its own assistant: prompt, model, limits, web search. Switch one: the bot re-reads its profiles file, and the next answer there says which profile it used.'
        : 'From CLAUDE_PROFILES_FILE: edit that file to change them (the bot re-reads it when it changes).',
    ),
  );
  for (const p of view.places) {
    const row = el('label', 'profile-place');
    const select = el('select');
    select.setAttribute('aria-label', `Profile of ${p.label}`);
    select.dataset.place = p.place;
    const names = view.options.includes(p.profile) ? view.options : [p.profile, ...view.options];
    for (const name of names) {
      const option = el('option', '', name);
      option.value = name;
      option.selected = name === p.profile;
      select.append(option);
    }
    select.disabled = !view.editable;
    select.addEventListener('change', () => {
      select.blur();
      void send('/api/profile', { place: p.place, profile: select.value });
    });
    row.append(el('span', '', p.label), select);
    s.append(row);
  }
  for (const p of view.inEffect) {
    const tools = p.tools.length ? ` · ${p.tools.join(', ')}` : '';
    const where = p.channels.join(' ') === '*' ? 'everywhere else' : p.channels.join(', ');
    s.append(el('div', 'profile-summary', `${p.name}: ${p.model}${tools} — ${where}`));
  }
  return s;
}
