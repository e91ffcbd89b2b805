/**
 * Counts a PDF's pages in a thread of its own (pdf-pages.ts bounds its time and memory). The
 * parser reads object streams and xref streams; the count walks the page tree's leaves rather than
 * trusting its /Count, which a hostile file can set to anything.
 */
import { parentPort } from 'node:worker_threads';

const { PDFDocument } = await import('@cantoo/pdf-lib');
const port = parentPort;
if (!port) throw new Error('pdf-worker runs as a worker thread');

port.on('message', async (bytes: Uint8Array) => {
  try {
    // Strict: an object the parser cannot read might hold pages, so the count is not established.
    const doc = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
    port.postMessage({ pages: doc.getPageCount() });
  } catch (err) {
    port.postMessage({ error: (err as Error).name });
  }
});
port.postMessage({ ready: true });
