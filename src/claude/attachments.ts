import { createHash } from 'node:crypto';
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

/** Pixels sharp agrees to decode: a hostile image (a "decompression bomb") is refused, not decoded. */
const MAX_INPUT_PIXELS = 100_000_000;

/**
 * An image as Claude should get it: within 5 MB, and with its long edge at most USED_IMAGE_EDGE
 * (what Claude uses anyway; larger costs time and bytes for nothing). Scaled down with sharp (GIFs
 * become PNG), else returned as it is. Undefined when the bytes cannot be decoded as an image.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 */
export async function fitImage(
  type: ImageType,
  bytes: Buffer,
): Promise<{ type: ImageType; bytes: Buffer; width: number; height: number } | undefined> {
  const { default: sharp } = await import('sharp');
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, animated: false });
    const { width = 0, height = 0 } = await image.metadata();
    if (!width || !height) return undefined;
    if (Math.max(width, height) <= USED_IMAGE_EDGE && bytes.length <= MAX_IMAGE_BYTES) {
      return { type, bytes, width, height };
    }
    const resized = image.resize({ width: USED_IMAGE_EDGE, height: USED_IMAGE_EDGE, fit: 'inside' });
    const out: ImageType = type === 'image/gif' ? 'image/png' : type;
    const format = ({ 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' } as const)[
      out as Exclude<ImageType, 'image/gif'>
    ];
    let data = await resized.toFormat(format).toBuffer({ resolveWithObject: true });
    // A PNG of a photo can stay large: JPEG it then.
    if (data.data.length > MAX_IMAGE_BYTES) {
      data = await resized.jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
      return { type: 'image/jpeg', bytes: data.data, width: data.info.width, height: data.info.height };
    }
    return { type: out, bytes: data.data, width: data.info.width, height: data.info.height };
  } catch {
    return undefined;
  }
}
