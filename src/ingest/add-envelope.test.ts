import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import type { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { Collection } from '../store/store.js'
import { addEnvelope, STATUS_RETENTION_MICROS } from './add-envelope.js'

describe('addEnvelope (TAXII 2.1 section 5.5)', () => {
  let store: SqliteStore
  let collection: Collection
  const now = Date.UTC(2026, 5, 1) * 1000

  beforeEach(async () => {
    ;({ store, collection } = await memoryStoreWithCollection())
  })

  afterEach(async () => {
    await store.close()
  })

  function add(body: string) {
    return addEnvelope(store, {
      collection,
      ownerUserId: 'u1',
      publisher: { orgId: 'o1', actor: 'user:u1' },
      body,
      nowMicros: now,
    })
  }

  async function codeOf(body: string): Promise<string | undefined> {
    try {
      await add(body)
    } catch (error) {
      if (isAppError(error)) return error.code
      throw error
    }
    return undefined
  }

  it('records a complete status for its owner, kept 24 hours', async () => {
    const id = `ipv4-addr--${randomUUID()}`
    const status = await add(
      JSON.stringify({
        more: false,
        objects: [{ type: 'ipv4-addr', spec_version: '2.1', id, value: '192.0.2.1' }],
      }),
    )
    expect(status).toMatchObject({
      apiRootId: collection.apiRootId,
      ownerUserId: 'u1',
      status: 'complete',
      totalCount: 1,
      successes: [{ id, version: '' }],
      failures: [],
      pendings: [],
      requestTimestamp: '2026-06-01T00:00:00.000000Z',
    })
    expect(status.expiresAt).toBe('2026-06-02T00:00:00.000000Z')
    expect(STATUS_RETENTION_MICROS).toBe(86_400_000_000)
    expect(await store.getStatus(status.id)).toEqual(status)
  })

  it('names each broken rule with its JSON path in the failure message', async () => {
    const status = await add(
      JSON.stringify({
        objects: [{ type: 'indicator', spec_version: '2.1', id: `indicator--${randomUUID()}` }],
      }),
    )
    expect(status.failures).toHaveLength(1)
    expect(status.failures[0]?.message).toMatch(/^invalid STIX object: \$\.\w+: .+ \[[a-z-]+/)
    expect(await store.countObjects(collection.id)).toBe(0)
  })

  it('refuses what is not an envelope without storing or recording anything', async () => {
    expect(await codeOf('{"type":"bundle","id":"bundle--1","objects":[]}')).toBe(
      'TAXII_BAD_REQUEST',
    )
    expect(await codeOf('{"objects": 5}')).toBe('TAXII_UNPROCESSABLE')
    expect(await codeOf('{"objects": [')).toBe('STIX_INVALID_JSON')
    expect(await codeOf(`{"objects":[${'['.repeat(100)}${']'.repeat(100)}]}`)).toBe(
      'STIX_INPUT_TOO_DEEP',
    )
    expect(await store.countObjects(collection.id)).toBe(0)
  })
})
