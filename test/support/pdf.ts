import { deflateSync } from 'node:zlib';

/**
 * A valid PDF of `pages` empty pages, written the two ways PDFs are found in the wild:
 * `plain` with every object in the open and a classic xref table, or `compressed` (PDF 1.5) with
 * the catalog, the page tree and every page inside one compressed object stream, indexed by an
 * xref stream, so no `/Type /Page` is visible in the bytes. `count` is what the page tree's /Count
 * claims (a hostile file can say 1 and hold 200 pages). `pageBytes`: each page of a plain PDF gets a
 * content stream of that many bytes (a text-heavy spec weighs about 50 KB a page).
 * @see https://opensource.adobe.com/dc-acrobat-sdk-docs/pdfstandards/PDF32000_2008.pdf (7.5.7, 7.5.8)
 */
export function makePdf(
  pages: number,
  opts: { compressed?: boolean; count?: number; pageBytes?: number } = {},
): Buffer {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const text = opts.pageBytes && !opts.compressed ? 'x'.repeat(opts.pageBytes) : undefined;
  const contents = (i: number) => (text ? ` /Contents ${pages + 3 + i} 0 R` : '');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${opts.count ?? pages} >>`,
    ...Array.from(
      { length: pages },
      (_, i) => `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]${contents(i)} >>`,
    ),
    ...(text
      ? Array.from({ length: pages }, () => `<< /Length ${text.length} >>\nstream\n${text}\nendstream`)
      : []),
  ];
  return opts.compressed ? compressedPdf(objects) : plainPdf(objects);
}

function plainPdf(objects: string[]): Buffer {
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  const rows = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${rows}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function compressedPdf(objects: string[]): Buffer {
  // The object stream: "number offset" pairs, then the objects, all deflated.
  let index = '';
  let data = '';
  objects.forEach((o, i) => {
    index += `${i + 1} ${data.length} `;
    data += `${o}\n`;
  });
  const packed = deflateSync(Buffer.from(index + data, 'latin1'));
  const stm = objects.length + 1;
  const xrefNum = stm + 1;
  const head = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const stmObj = Buffer.concat([
    Buffer.from(
      `${stm} 0 obj\n<< /Type /ObjStm /N ${objects.length} /First ${index.length} /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`,
      'latin1',
    ),
    packed,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ]);
  const xrefAt = head.length + stmObj.length;
  // Rows of [type, field 2 (4 bytes), field 3 (2 bytes)]: 0 free, 1 in the open, 2 in an object stream.
  const rows = Buffer.alloc((xrefNum + 1) * 7);
  const row = (n: number, type: number, a: number, b: number) => {
    rows.writeUInt8(type, n * 7);
    rows.writeUInt32BE(a, n * 7 + 1);
    rows.writeUInt16BE(b, n * 7 + 5);
  };
  row(0, 0, 0, 65535);
  for (let i = 0; i < objects.length; i++) row(i + 1, 2, stm, i);
  row(stm, 1, head.length, 0);
  row(xrefNum, 1, xrefAt, 0);
  const xrefData = deflateSync(rows);
  const xrefObj = Buffer.concat([
    Buffer.from(
      `${xrefNum} 0 obj\n<< /Type /XRef /Size ${xrefNum + 1} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length ${xrefData.length} >>\nstream\n`,
      'latin1',
    ),
    xrefData,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
  ]);
  return Buffer.concat([Buffer.from(head, 'latin1'), stmObj, xrefObj]);
}
