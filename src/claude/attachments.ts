import { createHash } from 'node:crypto';
import type { DocumentBlockParam, ImageBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { fitImage, type ImageType, imageTokens } from './images.js';
import { MAX_PDF_PAGES, pdfPages } from './pdf-pages.js';
import { estimateTokens } from './tokens.js';

export { type ImageType, imageTokens } from './images.js';

/**
 * What Claude accepts of a shared file, one constant per limit.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 */

/**
 * Tokens a PDF page costs: its text plus an image of the page (Anthropic gives 1,500–3,000 for a
 * typical page; the low end is used so a 30-page spec fits the default context budget).
 */
export const PDF_TOKENS_PER_PAGE = 1500;

/** A file read for Claude: its content block and what it costs. */
export interface Attachment {
  /** Slack's file id and a hash of its bytes: part of every cache key through the request. */
  id: string;
  sha256: string;
  name: string;
  block: ImageBlockParam | DocumentBlockParam;
  tokens: number;
}

/**
 * The SHA-256 of the bytes behind each base64 source made here: cache keys use it instead of the
 * base64 text (megabytes to copy and hash again on every question about the file).
 */
const sourceHashes = new WeakMap<object, string>();

/** The hash of a base64 source's bytes, when this module made it. */
export function sourceHash(source: unknown): string | undefined {
  return typeof source === 'object' && source !== null ? sourceHashes.get(source) : undefined;
}

/** `hash`: of the file the bytes were made from (an image is scaled deterministically), if known. */
function base64Source<T extends string>(mediaType: T, bytes: Buffer, hash?: string) {
  const source = { type: 'base64' as const, media_type: mediaType, data: bytes.toString('base64') };
  sourceHashes.set(source, hash ?? createHash('sha256').update(bytes).digest('hex'));
  return source;
}

export function imageBlock(type: ImageType, bytes: Buffer, hash?: string): ImageBlockParam {
  return { type: 'image', source: base64Source(type, bytes, hash) };
}

export function pdfBlock(name: string, bytes: Buffer, hash?: string): DocumentBlockParam {
  return {
    type: 'document',
    title: name,
    source: base64Source('application/pdf', bytes, hash),
  };
}

export function textBlock(name: string, text: string): { block: DocumentBlockParam; tokens: number } {
  return {
    block: { type: 'document', title: name, source: { type: 'text', media_type: 'text/plain', data: text } },
    tokens: estimateTokens(text),
  };
}

/** A shared file's bytes, checked to be what it claims by whoever downloaded it (slack/read/files.ts). */
export type FileContent =
  | { kind: 'image'; mediaType: ImageType; bytes: Buffer }
  | { kind: 'pdf'; bytes: Buffer }
  | { kind: 'text'; bytes: Buffer; text: string };

const PAGES_UNKNOWN =
  'I couldn’t count its pages (it may be damaged, encrypted or too complex), so I did not read it';

/**
 * The content block Claude gets for a shared file and what it costs, or why it cannot be one (in
 * words for the person who shared it). `maxPdfPages`: FILES_MAX_PDF_PAGES.
 */
export async function attachment(
  file: { id: string; name: string },
  content: FileContent,
  maxPdfPages: number,
): Promise<Attachment | { why: string }> {
  const b = content.bytes;
  const base = { id: file.id, sha256: createHash('sha256').update(b).digest('hex'), name: file.name };
  if (content.kind === 'image') {
    // Scaled down to what Claude uses (long edge 1,568 px, within 5 MB).
    const fit = await fitImage(content.mediaType, b);
    if ('why' in fit) return fit;
    return {
      ...base,
      block: imageBlock(fit.type, fit.bytes, base.sha256),
      tokens: imageTokens(fit.width, fit.height),
    };
  }
  if (content.kind === 'pdf') {
    const pages = await pdfPages(b);
    // Never sent unchecked: Claude would read (and bill) every page.
    if (pages === undefined || pages < 1) return { why: PAGES_UNKNOWN };
    const max = Math.min(maxPdfPages, MAX_PDF_PAGES);
    if (pages > max) return { why: `it has ${pages} pages; I can read PDFs of up to ${max}` };
    return { ...base, block: pdfBlock(file.name, b, base.sha256), tokens: pages * PDF_TOKENS_PER_PAGE };
  }
  const t = textBlock(file.name, content.text);
  return { ...base, block: t.block, tokens: t.tokens };
}
