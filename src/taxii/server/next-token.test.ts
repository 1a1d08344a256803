import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../errors.js'
import { SqliteStore } from '../../store/sqlite/sqlite-store.js'
import { NextTokens } from './next-token.js'

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  return undefined
}

describe('NextTokens (TAXII 2.1 sections 3.4, 3.7)', () => {
  let store: SqliteStore

  beforeEach(async () => {
    store = SqliteStore.open(':memory:')
    await store.migrate()
  })
  afterEach(async () => {
    await store.close()
  })

  it('round-trips a position for the same filters', async () => {
    const tokens = new NextTokens(store)
    const token = await tokens.issue(['collection', 'c1', null], 1_700_000_000_123_456)
    expect(await tokens.verify(token, ['collection', 'c1', null])).toBe(1_700_000_000_123_456)
  })

  it('refuses tokens for other filters, altered tokens and garbage', async () => {
    const tokens = new NextTokens(store)
    const token = await tokens.issue(['collection', 'c1'], 42)
    expect(await codeOf(tokens.verify(token, ['collection', 'c2']))).toBe('TAXII_BAD_NEXT')
    const [payload = '', signature = ''] = token.split('.')
    const forged = `${Buffer.from(JSON.stringify([1, 7, 'x'])).toString('base64url')}.${signature}`
    expect(await codeOf(tokens.verify(forged, ['collection', 'c1']))).toBe('TAXII_BAD_NEXT')
    expect(await codeOf(tokens.verify(`${payload}.${'A'.repeat(32)}`, ['collection', 'c1']))).toBe(
      'TAXII_BAD_NEXT',
    )
    expect(await codeOf(tokens.verify('', ['collection', 'c1']))).toBe('TAXII_BAD_NEXT')
  })

  it('accepts tokens issued by another app instance over the same store', async () => {
    const token = await new NextTokens(store).issue(['x'], 5)
    expect(await new NextTokens(store).verify(token, ['x'])).toBe(5)
  })
})
