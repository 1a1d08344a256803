import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { memoryStoreWithCollection } from '../../test/helpers/memory-collection.js'
import { makeIndicator, TLP } from '../../test/fixtures/taxii/builders.js'
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

  describe('publishing choices (issue 5; src/sharing/publish.ts)', () => {
    const orgA = randomUUID()
    const orgB = randomUUID()

    beforeEach(async () => {
      for (const [id, name] of [
        [orgA, 'Acme'],
        [orgB, 'Beta'],
      ] as const) {
        await store.createOrganisation({
          id,
          name,
          identityId: `identity--${id}`,
          createdAt: '2026-01-01T00:00:00Z',
        })
      }
    })

    function indicator(extra: Record<string, unknown> = {}) {
      return {
        type: 'indicator',
        spec_version: '2.1',
        id: `indicator--${randomUUID()}`,
        created: '2026-01-01T00:00:00.000Z',
        modified: '2026-01-01T00:00:00.000Z',
        pattern: "[ipv4-addr:value = '192.0.2.1']",
        pattern_type: 'stix',
        valid_from: '2026-01-01T00:00:00Z',
        ...extra,
      }
    }

    function publish(
      objects: unknown[],
      options: {
        sharing?: { scope?: 'organisation' | 'community'; recipients?: string[] }
        peerId?: string
      } = {},
    ) {
      return addEnvelope(store, {
        collection,
        ownerUserId: 'u1',
        publisher: { orgId: orgA, actor: 'user:u1' },
        body: JSON.stringify({ objects }),
        nowMicros: now,
        writer: {
          userId: 'u1',
          userName: 'alice',
          role: 'analyst',
          ...(options.peerId ? { peerId: options.peerId } : {}),
        },
        ...(options.sharing ? { sharing: options.sharing } : {}),
      })
    }

    async function rowOf(id: string) {
      const [row] = await store.getObjectVersions(collection.id, id)
      if (!row) throw new Error(`${id} was not stored`)
      return row
    }

    it("refuses a member's new version of another organisation's object, per object (STIX 2.1 section 3.6)", async () => {
      const acme = makeIndicator({ object_marking_refs: [TLP.green] })
      const first = await publish([acme])
      expect(first.failures).toEqual([])
      const hijack = { ...acme, modified: '2026-06-01T00:00:00.000Z', name: 'Replaced' }
      const beta = await addEnvelope(store, {
        collection,
        ownerUserId: 'u2',
        publisher: { orgId: orgB, actor: 'user:u2' },
        body: JSON.stringify({ objects: [acme, hijack] }),
        nowMicros: now,
        writer: { userId: 'u2', userName: 'bob', role: 'analyst' },
      })
      // The version already held passes as a duplicate; the new one is refused.
      expect(beta.successes.map((d) => d.version)).toEqual([acme['modified']])
      expect(beta.failures).toEqual([
        {
          id: acme['id'],
          version: hijack.modified,
          message: `${acme['id'] as string} version ${hijack.modified}: not stored: another publisher holds this object here, and only its creator makes new versions of it (STIX 2.1 section 3.6)`,
        },
      ])
      // The creator itself still versions it.
      const own = await publish([{ ...hijack, name: 'Updated by Acme' }])
      expect(own.failures).toEqual([])
      const versions = await store.getObjectVersions(collection.id, acme['id'] as string)
      expect(versions.map((v) => v.publisherOrgId)).toEqual([orgA, orgA])
    })

    it('removes x_intelmesh_sharing from the stored JSON, which is otherwise kept as received', async () => {
      const carrying = indicator({ x_intelmesh_sharing: { recipients: ['Beta'] } })
      const plain = indicator()
      const plainRaw = `{ "type" : "indicator", ${JSON.stringify(plain)
        .slice(1)
        .replace(/^"type":"indicator",/, '')}`
      const status = await addEnvelope(store, {
        collection,
        ownerUserId: 'u1',
        publisher: { orgId: orgA, actor: 'user:u1' },
        body: `{"objects":[${JSON.stringify(carrying)},${plainRaw}]}`,
        nowMicros: now,
      })
      expect(status.successes).toHaveLength(2)
      const stored = await rowOf(carrying.id)
      expect(stored.json).not.toContain('x_intelmesh_sharing')
      expect(JSON.parse(stored.json)).toEqual(
        Object.fromEntries(Object.entries(carrying).filter(([k]) => k !== 'x_intelmesh_sharing')),
      )
      expect(stored.distribution.recipients).toEqual([orgB])
      expect((await rowOf(plain.id)).json).toBe(plainRaw)
    })

    it('fails an object whose x_intelmesh_sharing is invalid, naming it', async () => {
      const bad = indicator({ x_intelmesh_sharing: { distribution: 'everyone' } })
      const status = await publish([bad])
      expect(status.failures).toEqual([
        {
          id: bad.id,
          version: bad.modified,
          message: expect.stringContaining('x_intelmesh_sharing.distribution') as unknown,
        },
      ])
      expect(await store.countObjects(collection.id)).toBe(0)
    })

    it('applies the POST choice and lets an object override it', async () => {
      const fromPost = indicator()
      const own = indicator({ x_intelmesh_sharing: { distribution: 'community' } })
      await publish([fromPost, own], { sharing: { scope: 'organisation', recipients: ['Beta'] } })
      expect((await rowOf(fromPost.id)).distribution).toEqual({
        scope: 'organisation',
        groups: [],
        recipients: [orgB],
      })
      expect((await rowOf(own.id)).distribution).toEqual({
        scope: 'community',
        groups: [],
        recipients: [orgB],
      })
    })

    it("refuses an object above the writer's ceiling and stores the others", async () => {
      const sharing = await store.getOrganisationSharing(orgA)
      await store.setOrganisationSharing(orgA, {
        ...sharing,
        ceilings: { roles: { analyst: { scope: 'organisation' } }, users: {} },
      })
      const narrow = indicator({ x_intelmesh_sharing: { distribution: 'organisation' } })
      const wide = indicator()
      const status = await publish([narrow, wide])
      expect(status.successes.map((s) => s.id)).toEqual([narrow.id])
      expect(status.failures[0]?.message).toMatch(
        new RegExp(`^${wide.id}: refused by the sharing ceiling of role analyst`),
      )
    })

    it("records a peer's objects with the peer as origin and its organisation as publisher", async () => {
      const object = indicator({ object_marking_refs: [TLP.clear] })
      await publish([object], { peerId: 'peer-1' })
      const row = await rowOf(object.id)
      expect(row.originPeer).toBe('peer-1')
      expect(row.distribution.scope).toBe('federation')
      expect(row.publisherOrgId).toBe(orgA)
    })
  })

  describe('writes by a peer node (issue 6, Inbound; src/sharing/inbound.ts)', () => {
    const peerOrg = randomUUID()
    const nodeOrg = randomUUID()

    beforeEach(async () => {
      for (const [id, name] of [
        [peerOrg, 'Peer'],
        [nodeOrg, 'Node'],
      ] as const) {
        await store.createOrganisation({
          id,
          name,
          identityId: `identity--${id}`,
          createdAt: '2026-01-01T00:00:00Z',
        })
      }
      await store.setSetting('node.org_id', nodeOrg)
    })

    function push(objects: unknown[], sharing?: { scope?: 'organisation' | 'community' }) {
      return addEnvelope(store, {
        collection,
        ownerUserId: 'u-peer',
        publisher: { orgId: peerOrg, actor: 'peer:peer-1' },
        body: JSON.stringify({ objects }),
        nowMicros: now,
        writer: { userId: 'u-peer', userName: 'peer-1', role: 'analyst', peerId: 'peer-1' },
        ...(sharing ? { sharing } : {}),
      })
    }

    async function rowOf(id: string) {
      const [row] = await store.getObjectVersions(collection.id, id)
      if (!row) throw new Error(`${id} was not stored`)
      return row
    }

    it.each([
      ['CLEAR', TLP.clear, 'federation', false],
      ['GREEN', TLP.green, 'federation', false],
      ['AMBER', TLP.amber, 'community', false],
      ['AMBER+STRICT', TLP.amberStrict, 'organisation', true],
      ['RED', TLP.red, 'organisation', true],
    ] as const)(
      'stores a pushed TLP:%s object with the audience a pull gives it',
      async (_name, marking, scope, toNode) => {
        const object = makeIndicator({ object_marking_refs: [marking] })
        const status = await push([object])
        expect(status.failures).toEqual([])
        const row = await rowOf(object['id'] as string)
        expect(row.distribution).toEqual({
          scope,
          groups: [],
          recipients: toNode ? [nodeOrg] : [],
        })
        expect(row).toMatchObject({
          originPeer: 'peer-1',
          publisherOrgId: peerOrg,
          anonymous: false,
        })
      },
    )

    it('gives an unmarked object the node default TLP (AMBER: community)', async () => {
      const object = makeIndicator()
      await push([object])
      expect((await rowOf(object['id'] as string)).distribution.scope).toBe('community')
    })

    it('lets the object or the POST narrow the audience, never widen it, and ignores names of the other node', async () => {
      const narrowed = makeIndicator({
        object_marking_refs: [TLP.green],
        x_intelmesh_sharing: { distribution: 'organisation', recipients: ['Elsewhere'] },
      })
      const notWidened = makeIndicator({
        object_marking_refs: [TLP.amberStrict],
        x_intelmesh_sharing: { distribution: 'federation', anonymous: true },
      })
      const groups = makeIndicator({
        object_marking_refs: [TLP.clear],
        x_intelmesh_sharing: { groups: ['their-group'] },
      })
      const byPost = makeIndicator({ object_marking_refs: [TLP.clear] })
      const status = await push([narrowed, notWidened, groups])
      expect(status.failures).toEqual([])
      await push([byPost], { scope: 'community' })
      const only = { scope: 'organisation', groups: [], recipients: [nodeOrg] }
      expect((await rowOf(narrowed['id'] as string)).distribution).toEqual(only)
      expect(await rowOf(notWidened['id'] as string)).toMatchObject({
        distribution: only,
        anonymous: false,
      })
      expect((await rowOf(groups['id'] as string)).distribution).toEqual(only)
      expect((await rowOf(byPost['id'] as string)).distribution.scope).toBe('community')
    })

    it('does not apply the ceiling of a user of this node to the peer', async () => {
      const sharing = await store.getOrganisationSharing(peerOrg)
      await store.setOrganisationSharing(peerOrg, {
        ...sharing,
        ceilings: { roles: { analyst: { tlp: 'red', scope: 'organisation' } }, users: {} },
      })
      const object = makeIndicator({ object_marking_refs: [TLP.clear] })
      const status = await push([object])
      expect(status.failures).toEqual([])
      expect((await rowOf(object['id'] as string)).distribution.scope).toBe('federation')
    })

    it('refuses a new version of an object published on this node, per object (STIX 2.1 section 3.6)', async () => {
      const mine = makeIndicator({ object_marking_refs: [TLP.clear] })
      const own = await addEnvelope(store, {
        collection,
        ownerUserId: 'u1',
        publisher: { orgId: nodeOrg, actor: 'user:u1' },
        body: JSON.stringify({ objects: [mine] }),
        nowMicros: now,
      })
      expect(own.failures).toEqual([])
      const forged = { ...mine, modified: '2026-06-01T00:00:00.000Z', name: 'Changed' }
      const theirs = makeIndicator({ object_marking_refs: [TLP.clear] })
      const theirsLater = { ...theirs, modified: '2026-02-01T00:00:00.000Z' }
      const status = await push([mine, forged, theirs, theirsLater])
      expect(status.successes).toEqual([
        {
          id: mine['id'],
          version: mine['modified'],
          message: 'this version was already in the collection; not stored again',
        },
        { id: theirs['id'], version: theirs['modified'] },
        { id: theirs['id'], version: theirsLater['modified'] },
      ])
      expect(status.failures).toEqual([
        {
          id: mine['id'],
          version: forged.modified,
          message: `${mine['id'] as string} version ${forged.modified}: not stored: the object was published on this node, and only its creator makes new versions of it (STIX 2.1 section 3.6)`,
        },
      ])
      const versions = await store.getObjectVersions(collection.id, mine['id'] as string)
      expect(versions.map((v) => [v.version, v.originPeer])).toEqual([[mine['modified'], null]])
    })

    it("accepts a peer's new version of an object that came from a peer", async () => {
      const theirs = makeIndicator({ object_marking_refs: [TLP.clear] })
      await push([theirs])
      const status = await push([{ ...theirs, modified: '2026-03-01T00:00:00.000Z' }])
      expect(status.failures).toEqual([])
      expect(await store.getObjectVersions(collection.id, theirs['id'] as string)).toHaveLength(2)
    })
  })
})
