import type { RequestContentBlock } from './offline-model.js';

/**
 * What the offline model says about the files it received (image and document blocks): type,
 * size, pages, image size. So the whole path of a shared file can be tried with no account.
 */

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : `${Math.round(bytes / 102.4) / 10} KB`);

/** Width × height from an image's header (PNG, GIF; others unknown): no decoding. */
function imageSize(b: Buffer): string | undefined {
  if (b.length >= 24 && b.toString('latin1', 1, 4) === 'PNG')
    return `${b.readUInt32BE(16)}×${b.readUInt32BE(20)} px`;
  if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF')
    return `${b.readUInt16LE(6)}×${b.readUInt16LE(8)} px`;
  return undefined;
}

function describe(block: RequestContentBlock, title: string | undefined): string | undefined {
  const src = block.source as { type?: string; media_type?: string; data?: string } | undefined;
  if (typeof src?.data !== 'string') return undefined;
  const named = title ? ` “${title}”` : '';
  if (block.type === 'image') {
    const b = Buffer.from(src.data, 'base64');
    const kind = String(src.media_type).replace('image/', '').toUpperCase();
    return `an image${named} (${[kind, kb(b.length), imageSize(b)].filter(Boolean).join(', ')})`;
  }
  if (block.type !== 'document') return undefined;
  if (src.type === 'text') {
    const lines = src.data.split('\n').filter(Boolean).length;
    return `a text file${named} (${lines} line${lines === 1 ? '' : 's'}, ${kb(Buffer.byteLength(src.data))})`;
  }
  const b = Buffer.from(src.data, 'base64');
  const pages = Math.max(1, b.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0);
  return `a PDF${named} (${pages} page${pages === 1 ? '' : 's'}, ${kb(b.length)})`;
}

/** "Received: …" for the files in a user turn, or undefined when it has none. */
export function describeAttachments(content: string | RequestContentBlock[] | undefined): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const out: string[] = [];
  content.forEach((block, i) => {
    const label = content[i - 1]?.text;
    // The bot names each file in the text just before it: "[file F123: name]".
    const name = typeof label === 'string' ? /\[file [^:\]]+: ([^\]]*)\]\s*$/.exec(label)?.[1] : undefined;
    const title = typeof block.title === 'string' ? block.title : name;
    const d = describe(block, title);
    if (d) out.push(d);
  });
  return out.length > 0 ? `_Offline demo model: I received ${out.join('; ')}._` : undefined;
}
