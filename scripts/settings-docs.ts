/**
 * Writes the settings' docs from their declarations (src/config/settings.ts): `.env.example`
 * whole, and the tables between the markers in docs/settings.md.
 *
 *   npx tsx scripts/settings-docs.ts --write   rewrite both files
 *   npx tsx scripts/settings-docs.ts           exit 1, naming the files, if either is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS, type Setting } from '../src/config/settings.js';

const ROOT = new URL('../', import.meta.url);
const BEGIN =
  '<!-- settings: generated from src/config/settings.ts by `npm run docs:settings`; edit there -->';
const END = '<!-- settings: end of generated part -->';
const WIDTH = 100;
const NBSP = '\u00a0';

const settings = SETTINGS as readonly Setting[];

/** The settings grouped by section, in declaration order. */
function sections(): Array<[string, Setting[]]> {
  const out = new Map<string, Setting[]>();
  for (const s of settings) out.set(s.section, [...(out.get(s.section) ?? []), s]);
  return [...out];
}

/** A doc line as plain text for a comment: no Markdown, a capital first letter, a full stop. */
function plain(doc: string): string {
  const text = doc.replace(/\[[^\]]+\]\(([^)]+)\)/g, 'docs/$1');
  // A name in code font keeps its case (chat.appendStream, fatal, development).
  const first = text.startsWith('`') ? text.charAt(0) : text.charAt(0).toUpperCase();
  const capital = (first + text.slice(1)).replace(/`/g, '');
  return /[.!?]"?$/.test(capital) ? capital : `${capital}.`;
}

/** `text` as `# ` comment lines of at most WIDTH characters. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > WIDTH && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  return [...lines, line].map((l) => l.replaceAll(NBSP, ' '));
}

function defaultSentence(s: Setting): string {
  if (s.required !== undefined) return ' Required.';
  if (!s.default) return '';
  // A no-break space keeps "(50 MB)" on one line; comment() turns it back into a space.
  return ` Default ${s.default}${s.note ? ` (${s.note.replace(/ /g, NBSP)})` : ''}.`;
}

/** The whole of `.env.example`. */
export function envExample(): string {
  const out = [
    '# Copy to .env and fill in. Every setting can also come from the environment.',
    '# Secrets may instead be read from a file: set NAME_FILE=/path (e.g. SLACK_BOT_TOKEN_FILE).',
    '# Generated from src/config/settings.ts (npm run docs:settings): edit the descriptions there.',
  ];
  for (const [title, list] of sections()) {
    out.push('', `# --- ${title} ---`);
    for (const s of list) {
      out.push(...comment(plain(s.doc) + defaultSentence(s)));
      const value = s.placeholder ?? s.example ?? s.default ?? '';
      out.push(`${s.commented ? '# ' : ''}${s.name}=${value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function defaultCell(s: Setting): string {
  if (s.shown) return s.shown;
  if (s.required !== undefined) return 'required';
  if (s.default === undefined) return 'unset';
  return `\`${s.default}\`${s.note ? ` (${s.note})` : ''}`;
}

/** The generated part of docs/settings.md: the file variants, then one table per section. */
export function settingsTables(): string {
  const files = settings.filter((s) => s.file).map((s) => `\`${s.name}\``);
  const out = [
    BEGIN,
    `Secrets and the system prompt can also be read from a file: \`SLACK_BOT_TOKEN_FILE=/run/secrets/slack-bot-token\`, and likewise for ${files.slice(1, -1).join(', ')} and ${files.at(-1)}.`,
  ];
  for (const [title, list] of sections()) {
    out.push(
      '',
      `### ${title.replace(/ \(.*\)$/, '')}`,
      '',
      '| variable | default | meaning |',
      '|---|---|---|',
    );
    for (const s of list) out.push(`| \`${s.name}\` | ${defaultCell(s)} | ${s.doc} |`);
  }
  out.push(END);
  return out.join('\n');
}

/** docs/settings.md with its generated part replaced by `settingsTables()`. */
export function settingsDoc(current: string): string {
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (begin < 0 || end < begin) throw new Error('docs/settings.md: the generated-part markers are missing');
  return current.slice(0, begin) + settingsTables() + current.slice(end + END.length);
}

/** Each generated file as [path from the root, its text now, its text as generated]. */
export function generatedFiles(): Array<[string, string, string]> {
  const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
  const doc = read('docs/settings.md');
  return [
    ['.env.example', read('.env.example'), envExample()],
    ['docs/settings.md', doc, settingsDoc(doc)],
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stale = generatedFiles().filter(([, now, generated]) => now !== generated);
  if (process.argv.includes('--write')) {
    for (const [path, , generated] of stale) writeFileSync(new URL(path, ROOT), generated);
    console.log(stale.length ? `wrote ${stale.map(([p]) => p).join(', ')}` : 'up to date');
  } else if (stale.length) {
    console.error(`out of date: ${stale.map(([p]) => p).join(', ')} (run npm run docs:settings)`);
    process.exit(1);
  }
}
