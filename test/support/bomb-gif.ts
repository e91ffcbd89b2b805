/**
 * A GIF that is small on disk and huge once decoded (a "decompression bomb"): one colour, so its
 * LZW codes each stand for a longer run of pixels. 9999×9999 pixels weigh about 66 KB.
 */
export function bombGif(width: number, height: number): Buffer {
  const out: number[] = [];
  const u16 = (n: number) => out.push(n & 0xff, n >> 8);
  out.push(...Buffer.from('GIF89a'));
  u16(width);
  u16(height);
  // A global colour table of 4 entries (black, white, red, green), no background, square pixels.
  out.push(0x81, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0);
  out.push(0x2c);
  u16(0);
  u16(0);
  u16(width);
  u16(height);
  out.push(0);
  const minCodeSize = 2;
  out.push(minCodeSize);
  const data = lzwOfOneColour(width * height, minCodeSize);
  for (let i = 0; i < data.length; i += 255) {
    const block = data.subarray(i, i + 255);
    out.push(block.length, ...block);
  }
  out.push(0, 0x3b);
  return Buffer.from(out);
}

/**
 * The LZW codes of `pixels` pixels of colour 0, as a standard encoder writes them: the longest run
 * already in the table, which then learns a run one longer; the table is cleared when full.
 */
function lzwOfOneColour(pixels: number, minCodeSize: number): Buffer {
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  let width = minCodeSize + 1;
  const emit = (code: number) => {
    acc |= code << bits;
    bits += width;
    while (bits >= 8) {
      bytes.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  };
  emit(clear);
  let next = end + 1;
  /** The longest run the table knows (run 1 is colour 0 itself). */
  let longest = 1;
  let left = pixels;
  while (left > 0) {
    const run = Math.min(longest, left);
    emit(run === 1 ? 0 : end + run - 1);
    left -= run;
    if (left === 0) break;
    // The table learns the run one longer than the one just written.
    longest = run + 1;
    next++;
    if (next > 1 << width && width < 12) width++;
    if (next === 4096) {
      emit(clear);
      width = minCodeSize + 1;
      next = end + 1;
      longest = 1;
    }
  }
  emit(end);
  if (bits > 0) bytes.push(acc & 0xff);
  return Buffer.from(bytes);
}
