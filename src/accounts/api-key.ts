/**
 * API keys: `imk_<prefix>_<secret>`, where the prefix (8 hex characters) finds the stored row
 * and the secret is 32 random bytes. The key is shown once; only a SHA-256 of the whole key is
 * stored. A fast hash is right here, unlike for passwords: the key has 256 bits of entropy, so
 * there is nothing to guess even at billions of hashes per second, and a memory-hard KDF would
 * only slow every request down.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const keyPattern = /^imk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/

/** A newly generated key: the full key (show once), its lookup prefix and its stored hash. */
export interface GeneratedApiKey {
  key: string
  prefix: string
  keyHash: string
}

/** Hex SHA-256 of the whole key, as stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** Makes a new random key. */
export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(4).toString('hex')
  const key = `imk_${prefix}_${randomBytes(32).toString('base64url')}`
  return { key, prefix, keyHash: hashApiKey(key) }
}

/** The lookup prefix of a well-formed key, or undefined when `key` is not one of ours. */
export function apiKeyPrefix(key: string): string | undefined {
  return keyPattern.exec(key)?.[1]
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(key), 'hex')
  const stored = Buffer.from(storedHash, 'hex')
  return presented.length === stored.length && timingSafeEqual(presented, stored)
}
