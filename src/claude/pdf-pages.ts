/**
 * Pages of a PDF, counted from its page objects (`/Type /Page`, not `/Pages`): one pass over the
 * bytes. PDFs that keep their objects in compressed streams show none; then 1 is assumed, and
 * Claude's own page limit still applies.
 */
export function pdfPages(b: Buffer): number {
  const n = b.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return Math.max(1, n);
}
