import { oneDecodeAtATime } from './decode-lock.js';

/**
 * Images for Claude: its limits, what an image costs, and scaling one down to what Claude uses.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 */

/** Bytes of one image Claude takes (about 5 MB each, base64 decoded). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Longest edge of an image Claude takes, in pixels; larger ones are refused by the API. */
export const MAX_IMAGE_EDGE = 8000;
/** Longest edge Claude actually uses: larger images are scaled down to it, costing no more tokens. */
export const USED_IMAGE_EDGE = 1568;
/** Tokens assumed for an image whose size Slack did not say: about a 1,092 px square. */
const UNKNOWN_IMAGE_TOKENS = 1600;

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** Tokens of an image of `w`×`h` pixels once Claude has scaled it to USED_IMAGE_EDGE (w·h/750). */
export function imageTokens(w: number | undefined, h: number | undefined): number {
  if (!w || !h || w <= 0 || h <= 0) return UNKNOWN_IMAGE_TOKENS;
  const scale = Math.min(1, USED_IMAGE_EDGE / Math.max(w, h));
  return Math.ceil((w * scale * (h * scale)) / 750);
}

/**
 * Pixels of an image decoded a few rows at a time (baseline JPEG, PNG, WebP): scaling a 36 MP one
 * down holds about 30 MB. A larger one is refused by its header, before any decoding.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;
/**
 * Pixels of an image the decoder must hold whole (GIF, progressive JPEG, interlaced PNG): about
 * 3.5-4.5 bytes a pixel at once (measured: a 66 KB GIF of 9,999 × 9,999 pixels grew the process by
 * 436 MB), so at most about 70 MB. Such images are rarely this large.
 */
export const MAX_WHOLE_IMAGE_PIXELS = 16_000_000;

export interface FittedImage {
  type: ImageType;
  bytes: Buffer;
  width: number;
  height: number;
}

type Sharp = typeof import('sharp').default;
let loaded: Promise<Sharp> | undefined;

/** sharp, loaded on the first image; its cache off, as no image is scaled twice. */
function loadSharp(): Promise<Sharp> {
  if (!loaded) {
    loaded = import('sharp').then(({ default: sharp }) => {
      sharp.cache(false);
      return sharp;
    });
  }
  return loaded;
}

const COULD_NOT_DECODE = 'I couldn’t open that file: the image could not be decoded';
const megapixels = (n: number) => `${Math.round(n / 100_000) / 10} megapixels`;

/** Why an image of `width`×`height` is not decoded, or undefined when it fits the pixel budget. */
function tooManyPixels(type: ImageType, width: number, height: number, whole: boolean): string | undefined {
  const limit = whole ? MAX_WHOLE_IMAGE_PIXELS : MAX_IMAGE_PIXELS;
  if (width * height <= limit) return undefined;
  const kind = type === 'image/gif' ? 'GIFs' : whole ? 'progressive or interlaced images' : 'images';
  const size = `${width.toLocaleString('en-US')} × ${height.toLocaleString('en-US')} pixels`;
  return `it is ${size} (${megapixels(width * height)}); I can read ${kind} of up to ${megapixels(limit)}`;
}

/**
 * An image as Claude should get it: within 5 MB, and with its long edge at most USED_IMAGE_EDGE
 * (what Claude uses anyway; larger costs time and bytes for nothing). Scaled down with sharp (GIFs
 * become PNG), else returned as it is; or why not, in words for the person who shared it.
 *
 * Hostile images cost bounded memory: the size is read from the header (sharp's `metadata()`
 * decodes nothing) and refused above the pixel budget, the decoder is held to the same budget
 * (`limitInputPixels`), and one image is decoded at a time per process.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision
 * @see https://sharp.pixelplumbing.com/api-constructor#parameters
 */
export async function fitImage(type: ImageType, bytes: Buffer): Promise<FittedImage | { why: string }> {
  const sharp = await loadSharp();
  try {
    const {
      width = 0,
      height = 0,
      isProgressive = false,
    } = await sharp(bytes, { animated: false }).metadata();
    if (!width || !height) return { why: COULD_NOT_DECODE };
    const whole = type === 'image/gif' || isProgressive;
    const refused = tooManyPixels(type, width, height, whole);
    if (refused) return { why: refused };
    if (Math.max(width, height) <= USED_IMAGE_EDGE && bytes.length <= MAX_IMAGE_BYTES) {
      return { type, bytes, width, height };
    }
    const limitInputPixels = whole ? MAX_WHOLE_IMAGE_PIXELS : MAX_IMAGE_PIXELS;
    return await oneDecodeAtATime(() => scaleDown(sharp(bytes, { limitInputPixels, animated: false }), type));
  } catch {
    return { why: COULD_NOT_DECODE };
  }
}

/** Scales an image down to USED_IMAGE_EDGE, in its own format (GIFs as PNG), within 5 MB. */
async function scaleDown(image: import('sharp').Sharp, type: ImageType): Promise<FittedImage> {
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
}
