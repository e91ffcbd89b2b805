// Slack-style text → safe HTML. Every piece of text is HTML-escaped before any tag is added; links
// keep only http(s) and mailto targets. Understands both Markdown (what the bot streams) and Slack
// mrkdwn (`*bold*`, `<url|label>`, `<@U123>`), which is what messages in Slack can contain.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESC[c]);
}

/** Slack escapes &, < and > in message text; undo that before escaping for HTML. */
function unslack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const EMOJI = {
  wave: '👋',
  warning: '⚠️',
  white_check_mark: '✅',
  ramen: '🍜',
  tada: '🎉',
  eyes: '👀',
  thumbsup: '👍',
  '+1': '👍',
  memo: '📝',
  rocket: '🚀',
  x: '❌',
  bulb: '💡',
  hourglass_flowing_sand: '⏳',
  mag: '🔍',
  speech_balloon: '💬',
  lock: '🔒',
  heavy_check_mark: '✔️',
};

function safeUrl(url) {
  const u = unslack(url.trim());
  return /^(https?:\/\/|mailto:)/i.test(u) ? u : undefined;
}

function link(url, label) {
  const href = safeUrl(url);
  if (!href) return escapeHtml(label ?? url);
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label ?? href)}</a>`;
}

/** One line of inline text: code spans, links and mentions first, then emphasis on the rest. */
export function renderInline(text, ctx) {
  const held = [];
  const hold = (html) => {
    held.push(html);
    return `\uE000${held.length - 1}\uE000`;
  };
  let s = String(text).replace(/\uE000/g, '');
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(unslack(code))}</code>`));
  s = s.replace(/<([^<>|\s][^<>|]*?)(?:\|([^<>]*))?>/g, (whole, target, label) => {
    if (target.startsWith('@')) {
      const id = target.slice(1);
      return hold(`<span class="mention">@${escapeHtml(label || ctx.userName(id))}</span>`);
    }
    if (target.startsWith('#')) {
      const id = target.slice(1);
      return hold(`<span class="mention">#${escapeHtml(label || ctx.channelName(id))}</span>`);
    }
    const date = /^!date\^(\d+)\^/.exec(target);
    if (date) return hold(escapeHtml(new Date(Number(date[1]) * 1000).toLocaleString()));
    if (target.startsWith('!'))
      return hold(`<span class="mention">@${escapeHtml(label || target.slice(1))}</span>`);
    if (safeUrl(target)) return hold(link(target, label ? unslack(label) : undefined));
    return whole;
  });
  s = s.replace(/\[([^\]\n]+)\]\(([^()\s]+)\)/g, (whole, label, url) =>
    safeUrl(url) ? hold(link(url, unslack(label))) : whole,
  );
  s = s.replace(
    /(^|[\s(])(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g,
    (_, before, url) => before + hold(link(url)),
  );
  s = escapeHtml(unslack(s));
  s = s
    .replace(/\*\*(?=\S)([^*]+?)\*\*/g, '<strong>$1</strong>')
    // A single `*` is bold in Slack's mrkdwn but italic in Markdown (streams, markdown blocks).
    .replace(
      /(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?!\w)/g,
      ctx.markdown ? '$1<em>$2</em>' : '$1<strong>$2</strong>',
    )
    .replace(/(^|[^\w])_(?=\S)([^_\n]+?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/~~(?=\S)([^~]+?)~~/g, '<del>$1</del>')
    .replace(/(^|[^\w~])~(?=\S)([^~\n]+?)~(?!\w)/g, '$1<del>$2</del>')
    .replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
  return s.replace(/\uE000(\d+)\uE000/g, (_, i) => held[Number(i)]);
}

const LIST_ITEM = /^(\s*)([-*•]|\d+[.)])\s+(.*)$/;
const QUOTE = /^(?:>|&gt;) ?(.*)$/;

/** Whole message text → HTML: paragraphs, code blocks, quotes, bullet and numbered lists, headings. */
export function renderSlack(text, ctx) {
  const lines = String(text ?? '').split('\n');
  const out = [];
  let para = [];
  const flush = () => {
    if (para.length) out.push(`<p>${para.map((l) => renderInline(l, ctx)).join('<br>')}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flush();
      const code = [];
      const rest = line.replace(/^\s*```[\w+-]*/, '');
      if (rest.includes('```')) {
        out.push(`<pre>${escapeHtml(unslack(rest.replace(/```\s*$/, '')))}</pre>`);
        continue;
      }
      if (rest.trim()) code.push(rest);
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
      out.push(`<pre>${escapeHtml(unslack(code.join('\n')))}</pre>`);
      continue;
    }
    if (QUOTE.test(line)) {
      flush();
      const quoted = [];
      for (; i < lines.length && QUOTE.test(lines[i]); i++) quoted.push(lines[i].replace(QUOTE, '$1'));
      i--;
      out.push(`<blockquote>${quoted.map((l) => renderInline(l, ctx)).join('<br>')}</blockquote>`);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      flush();
      const ordered = /^\s*\d/.test(line);
      const items = [];
      for (; i < lines.length && LIST_ITEM.test(lines[i]); i++) {
        const [, indent, , body] = LIST_ITEM.exec(lines[i]);
        const depth = Math.min(3, Math.floor(indent.length / 2));
        items.push(`<li class="d${depth}">${renderInline(body, ctx)}</li>`);
      }
      i--;
      out.push(ordered ? `<ol>${items.join('')}</ol>` : `<ul>${items.join('')}</ul>`);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      out.push(`<p class="heading">${renderInline(heading[1], ctx)}</p>`);
      continue;
    }
    if (line.trim() === '') flush();
    else para.push(line);
  }
  flush();
  return out.join('');
}
