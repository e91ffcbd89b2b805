import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Marks the format, so a later one (another cipher, a rotated key) can be told apart. */
const VERSION = 'v1';

/**
 * Text encrypted at rest with AES-256-GCM (authenticated: a changed byte fails to open). Each value
 * has its own random 96-bit nonce, and `context` (the record's key) is bound in as associated data,
 * so a value copied under another key does not open either.
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf (GCM, 96-bit IVs)
 */
export class Sealer {
  private readonly key: Buffer;

  /** `keyBase64`: 32 bytes as base64 (SLACK_INSTALLATION_KEY). */
  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('the key must be 32 bytes');
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      body.toString('base64'),
    ].join('.');
  }

  /** The plain text; throws when the value was not sealed with this key for this context. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}
