import type { DocumentBlockParam, ImageBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { estimateTokens } from './tokens.js';

/**
 * What Claude accepts of a shared file, one constant per limit.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 */

/** Bytes of one image Claude takes (about 5 MB each, base64 decoded). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Longest edge of an image Claude takes, in pixels; larger ones are refused by the API. */
export const MAX_IMAGE_EDGE = 8000;
/** Longest edge Claude actually uses: larger images are scaled down to it, costing no more tokens. */
export const USED_IMAGE_EDGE = 1568;
/** Pages of all PDFs in one request. */
export const MAX_PDF_PAGES = 100;
/**
 * Tokens a PDF page costs: its text plus an image of the page (Anthropic gives 1,500–3,000 for a
 * typical page; the low end is used so a 30-page spec fits the default context budget).
 */
export const PDF_TOKENS_PER_PAGE = 1500;
/** Tokens assumed for an image whose size Slack did not say: about a 1,092 px square. */
const UNKNOWN_IMAGE_TOKENS = 1600;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** A file read for Claude: its content block and what it costs. */
export interface Attachment {
  /** Slack's file id and a hash of its bytes: part of every cache key through the request. */
  id: string;
  sha256: string;
  name: string;
  block: ImageBlockParam | DocumentBlockParam;
  tokens: number;
}

/** Tokens of an image of `w`×`h` pixels once Claude has scaled it to USED_IMAGE_EDGE (w·h/750). */
export function imageTokens(w: number | undefined, h: number | undefined): number {
  if (!w || !h || w <= 0 || h <= 0) return UNKNOWN_IMAGE_TOKENS;
  const scale = Math.min(1, USED_IMAGE_EDGE / Math.max(w, h));
  return Math.ceil((w * scale * (h * scale)) / 750);
}

export function imageBlock(type: ImageType, bytes: Buffer): ImageBlockParam {
  return { type: 'image', source: { type: 'base64', media_type: type, data: bytes.toString('base64') } };
}

export function pdfBlock(name: string, bytes: Buffer): DocumentBlockParam {
  return {
    type: 'document',
    title: name,
    source: { type: 'base64', media_type: 'application/pdf', data: bytes.toString('base64') },
  };
}

export function textBlock(name: string, text: string): { block: DocumentBlockParam; tokens: number } {
  return {
    block: { type: 'document', title: name, source: { type: 'text', media_type: 'text/plain', data: text } },
    tokens: estimateTokens(text),
  };
}
