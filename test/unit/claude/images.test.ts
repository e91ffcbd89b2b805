import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { fitImage } from '../../../src/claude/images.js';

/** A PNG chunk: length, type, data, CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose header says `width`×`height`, with no pixels behind it: what the size check reads. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('an image over 40 megapixels is refused by its header, with the limit in the words', async () => {
  const fit = await fitImage('image/png', pngHeader(8000, 6000));
  assert.deepEqual(fit, {
    why: 'it is 8,000 × 6,000 pixels (48 megapixels); I can read images of up to 40 megapixels',
  });
});

test('a progressive JPEG is held to the lower budget of images decoded whole; the same pixels in baseline are read', async () => {
  const photo = sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#468' } });
  const progressive = await photo.clone().jpeg({ progressive: true }).toBuffer();
  const baseline = await photo.clone().jpeg().toBuffer();
  assert.deepEqual(await fitImage('image/jpeg', progressive), {
    why: 'it is 5,000 × 4,000 pixels (20 megapixels); I can read progressive or interlaced images of up to 16 megapixels',
  });
  const fit = await fitImage('image/jpeg', baseline);
  assert.ok(!('why' in fit));
  assert.deepEqual([fit.type, fit.width, fit.height], ['image/jpeg', 1568, 1254]);
});
