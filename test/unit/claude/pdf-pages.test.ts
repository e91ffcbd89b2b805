import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { createDeflate } from 'node:zlib';
import { pdfPages, stopPdfParser } from '../../../src/claude/pdf-pages.js';
import { makePdf } from '../../support/pdf.js';

after(() => stopPdfParser());

test('pages are the leaves of the page tree, in the open or in compressed object streams, whatever /Count says', async () => {
  assert.equal(await pdfPages(makePdf(3)), 3);
  assert.equal(await pdfPages(makePdf(200, { compressed: true })), 200);
  assert.equal(await pdfPages(makePdf(200, { compressed: true, count: 1 })), 200);
  assert.equal(await pdfPages(makePdf(2, { count: 500 })), 2);
});

test('a file the parser cannot read has no count', async () => {
  assert.equal(
    await pdfPages(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n')),
    undefined,
  );
  assert.equal(await pdfPages(Buffer.from('%PDF-1.7\nnot a pdf at all')), undefined);
});

/** A figure of /proc/self/status in MB (VmRSS: resident now; VmHWM: the peak since the last reset). */
function statusMb(field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** A deflated run of `mb` MB of spaces after `prefix`, made a megabyte at a time. */
async function deflatedSpaces(prefix: string, mb: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((resolve) => z.on('end', resolve));
  z.write(prefix, 'latin1');
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < mb; i++) if (!z.write(chunk)) await new Promise((r) => z.once('drain', r));
  z.end();
  await done;
  return Buffer.concat(out);
}

test('an object stream that inflates to 256 MB is stopped, not parsed: no count', async () => {
  const packed = await deflatedSpaces('1 0 << /Type /Catalog /Pages 2 0 R >>', 256);
  const bytes = Buffer.concat([
    Buffer.from(
      `%PDF-1.7\n3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`,
      'latin1',
    ),
    packed,
    Buffer.from(
      '\nendstream\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
      'latin1',
    ),
  ]);
  assert.ok(bytes.length < 1024 * 1024, `${bytes.length} bytes`);
  // Writing 5 to clear_refs resets the peak resident size (VmHWM) to what the process holds now.
  writeFileSync('/proc/self/clear_refs', '5');
  const before = statusMb('VmRSS');
  assert.equal(await pdfPages(bytes), undefined);
  const growth = statusMb('VmHWM') - before;
  assert.ok(growth < 128, `the process grew by ${growth.toFixed(0)} MB`);
  // The parser starts again for the next file.
  assert.equal(await pdfPages(makePdf(4, { compressed: true })), 4);
});
