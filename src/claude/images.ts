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
