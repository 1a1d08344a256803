import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { apiKeyMatches, apiKeyPrefix, generateApiKey, hashApiKey } from './api-key.js'

describe('generateApiKey', () => {
  it('makes imk_<8-char prefix>_<secret of 32 random bytes>', () => {
    const { key, prefix } = generateApiKey()
    expect(key).toMatch(/^imk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/)
    expect(key.slice(4, 12)).toBe(prefix)
    expect(Buffer.from(key.slice(13), 'base64url')).toHaveLength(32)
  })

  it('stores the SHA-256 of the whole key, never the key', () => {
    const { key, keyHash } = generateApiKey()
    expect(keyHash).toBe(createHash('sha256').update(key).digest('hex'))
    expect(keyHash).not.toContain(key.slice(13))
  })

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key))
    expect(keys.size).toBe(200)
  })
})

describe('apiKeyPrefix', () => {
  it('finds the prefix of a well-formed key and refuses anything else', () => {
    const { key, prefix } = generateApiKey()
    expect(apiKeyPrefix(key)).toBe(prefix)
    expect(apiKeyPrefix(`${key}x`)).toBeUndefined()
    expect(apiKeyPrefix(key.slice(0, -1))).toBeUndefined()
    expect(apiKeyPrefix('imk_ABCDEFGH_' + 'a'.repeat(43))).toBeUndefined()
    expect(apiKeyPrefix('Bearer whatever')).toBeUndefined()
  })
})

describe('apiKeyMatches', () => {
  it('matches only the exact key', () => {
    const { key, keyHash } = generateApiKey()
    expect(apiKeyMatches(key, keyHash)).toBe(true)
    const changed = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')
    expect(apiKeyMatches(changed, keyHash)).toBe(false)
    expect(apiKeyMatches(key, 'not-hex')).toBe(false)
    expect(hashApiKey(key)).toBe(keyHash)
  })
})
