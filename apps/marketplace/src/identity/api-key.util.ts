import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'mkt_';
// mkt_ + 43 base64url characters (32 random bytes)
const API_KEY_PATTERN = /^mkt_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedApiKey(key: string): boolean {
  return API_KEY_PATTERN.test(key);
}

// 256 random bits need no slow password hash: a plain SHA-256 cannot be brute-forced back.
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, 12);
}
