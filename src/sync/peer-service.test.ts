import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAuthenticator } from '../accounts/authenticator.js'
import { isAppError, type ErrorCode } from '../errors.js'
import type { Collection, Organisation } from '../store/store.js'
import type { SqliteStore } from '../store/sqlite/sqlite-store.js'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import {
  addPeer,
  createPeerKey,
  findPeer,
  listPeers,
  peerStatus,
  removePeer,
  updatePeer,
} from './peer-service.js'
import type { NewPeer } from './types.js'

let store: SqliteStore
let collection: Collection
const org: Organisation = {
  id: '0b7e3c55-4c1d-4a6e-9d0e-2f1a3b4c5d6e',
  name: 'Org B',
  identityId: 'identity--0b7e3c55-4c1d-4a6e-9d0e-2f1a3b4c5d6e',
  createdAt: '2026-01-01T00:00:00.000Z',
}

beforeEach(async () => {
  ;({ store, collection } = await memoryStoreWithCollection())
  await store.createOrganisation(org)
})
afterEach(async () => {
  await store.close()
})

function input(overrides: Partial<NewPeer> = {}): NewPeer {
  return {
    name: 'node-b',
    url: 'https://b.example.org/api1',
    auth: { kind: 'basic', username: 'sync', password: 'very-secret' },
    org: 'Org B',
    maps: [{ local: collection.alias, remote: 'remote-coll' }],
    ...overrides,
  }
}

async function expectError(
  promise: Promise<unknown>,
  code: ErrorCode,
  text: RegExp,
): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isAppError(error, code), String(error)).toBe(true)
  expect(String(error)).toMatch(text)
}

describe('addPeer', () => {
  it('stores a peer with defaults, the URL ending in /, the org and collection resolved', async () => {
    const peer = await addPeer(store, input())
    expect(peer).toMatchObject({
      name: 'node-b',
      url: 'https://b.example.org/api1/',
      direction: 'both',
      orgId: org.id,
      maps: [{ localCollectionId: collection.id, remoteCollectionId: 'remote-coll' }],
      filter: {},
      applyTombstones: true,
      enabled: true,
    })
    expect(await findPeer(store, 'node-b')).toEqual(peer)
    expect(await findPeer(store, peer.id)).toEqual(peer)
  })

  it('never shows credentials in listings', async () => {
    await addPeer(store, input())
    const listed = await listPeers(store)
    expect(JSON.stringify(listed)).not.toContain('very-secret')
    expect(listed[0]).toMatchObject({ authKind: 'basic', authUser: 'sync' })
    const status = await peerStatus(store, 'node-b')
    expect(JSON.stringify(status)).not.toContain('very-secret')
  })

  it.each([
    [{ name: 'bad name' }, 'ADMIN_INVALID_INPUT', /peer name/],
    [{ url: 'not a url' }, 'ADMIN_INVALID_INPUT', /not a valid URL/],
    [{ url: 'ftp://b.example.org/api1/' }, 'ADMIN_INVALID_INPUT', /http: or https:/],
    [{ url: 'https://u:p@b.example.org/api1/' }, 'ADMIN_INVALID_INPUT', /credentials/],
    [{ org: 'Nobody' }, 'STORE_NOT_FOUND', /no organisation "Nobody"/],
    [{ maps: [] }, 'ADMIN_INVALID_INPUT', /at least one collection map/],
    [{ maps: [{ local: 'nope', remote: 'r' }] }, 'STORE_NOT_FOUND', /no local collection "nope"/],
    [{ maps: [{ local: 'c', remote: 'a/b' }] }, 'ADMIN_INVALID_INPUT', /remote collection/],
    [{ direction: 'sideways' as never }, 'ADMIN_INVALID_INPUT', /direction/],
    [{ filter: { types: ['Not A Type'] } }, 'ADMIN_INVALID_INPUT', /STIX type/],
    [{ filter: { tlpCeiling: 'white' as never } }, 'ADMIN_INVALID_INPUT', /tlp ceiling/],
    [{ auth: { kind: 'bearer', token: '' } as const }, 'ADMIN_INVALID_INPUT', /bearer/],
  ] as const)('refuses %j with %s', async (overrides, code, text) => {
    await expectError(addPeer(store, input(overrides as Partial<NewPeer>)), code, text)
  })

  it('refuses a taken name (STORE_CONFLICT)', async () => {
    await addPeer(store, input())
    await expectError(addPeer(store, input()), 'STORE_CONFLICT', /node-b/)
  })
})

describe('updatePeer and removePeer', () => {
  it('changes only the given fields', async () => {
    const peer = await addPeer(store, input())
    const changed = await updatePeer(store, 'node-b', {
      enabled: false,
      filter: { tlpCeiling: 'green' },
    })
    expect(changed).toEqual({ ...peer, enabled: false, filter: { tlpCeiling: 'green' } })
    expect(await findPeer(store, 'node-b')).toEqual(changed)
  })

  it('removes the peer and revokes the keys issued to it', async () => {
    await addPeer(store, input())
    const key = await createPeerKey(store, 'node-b')
    await removePeer(store, 'node-b')
    await expectError(findPeer(store, 'node-b'), 'STORE_NOT_FOUND', /no peer "node-b"/)
    const outcome = await createAuthenticator(store, { audit: false }).authenticate(
      `Bearer ${key.key}`,
    )
    expect(outcome.kind).toBe('rejected')
  })
})

describe('createPeerKey', () => {
  it('issues a key of user peer-<name> in the peer organisation that authenticates as the peer', async () => {
    const peer = await addPeer(store, input())
    const key = await createPeerKey(store, 'node-b')
    expect(key.userName).toBe('peer-node-b')
    const user = await store.getUserByName('peer-node-b')
    expect(user).toMatchObject({ orgId: org.id, role: 'analyst', passwordHash: null })
    const outcome = await createAuthenticator(store, { audit: false }).authenticate(
      `Bearer ${key.key}`,
    )
    expect(outcome.kind === 'authenticated' && outcome.principal.peerId).toBe(peer.id)
    expect(await store.listCollectionGrants(collection.id)).toEqual([
      {
        collectionId: collection.id,
        subjectKind: 'user',
        subjectId: key.userId,
        canRead: true,
        canWrite: true,
      },
    ])
  })

  it('reuses the peer user for a second key and stores only the key hash', async () => {
    await addPeer(store, input())
    const first = await createPeerKey(store, 'node-b')
    const second = await createPeerKey(store, 'node-b')
    expect(second.userId).toBe(first.userId)
    expect(second.key).not.toBe(first.key)
    const keys = await store.listApiKeys(first.userId)
    expect(keys).toHaveLength(2)
    expect(JSON.stringify(keys)).not.toContain(first.key)
  })
})
