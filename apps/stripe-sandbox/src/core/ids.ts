import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// Random bytes drawn 64 KiB at a time: one id costs no call into the crypto library of its own
// (seeding 100 000 rows makes 300 000 ids).
const POOL_SIZE = 64 * 1024;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

export function newId(prefix: string, length = 24): string {
  if (offset + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  let out = `${prefix}_`;
  for (let i = 0; i < length; i++) out += ALPHABET[pool[offset + i]! % ALPHABET.length];
  offset += length;
  return out;
}
