/**
 * The shared contract suite of the Store port: both adapters' test files call
 * `describeStoreContract` with a factory returning a migrated, empty store.
 * TAXII sections cited are of TAXII 2.1 (OASIS Standard, 10 June 2021).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError, type ErrorCode } from '../errors.js'
import { latestSchemaVersion } from './migrations/migrations.js'
import type { Peer, SyncCursor } from './peer-store.js'
import type {
  AuditFilter,
  AuditRecord,
  Collection,
  NewObjectVersion,
  StatusRecord,
  Store,
  StoredObjectVersion,
  VersionMatch,
} from './store.js'
import { microsToTimestamp, timestampToMicros, versionKeyOf } from './timestamps.js'

/** A store for one test, and how to dispose of it. */
export type MakeStore = () => Promise<Store>

const T0 = 1_767_225_600_000_000 // 2026-01-01T00:00:00Z in microseconds
const ROOT = 'root-1'
const C1 = '91a7b528-80eb-42ed-a74d-c6fbd5a26116'
const C2 = '52892447-4d7e-4f70-b94d-d7f22742ff63'

async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(isAppError(caught, code), `expected AppError ${code}, got ${String(caught)}`).toBe(true)
}

function makeCollection(overrides: Partial<Collection> = {}): Collection {
  return {
    id: C1,
    apiRootId: ROOT,
    alias: 'main',
    title: 'Main collection',
    description: 'everything',
    mediaTypes: ['application/stix+json;version=2.1'],
    defaultDistribution: { scope: 'community', groups: [], recipients: [] },
    public: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

/** A new version of an indicator-like object; `version` is used as `modified`. */
export function makeVersion(
  id: string,
  version: string,
  overrides: Partial<NewObjectVersion> = {},
): NewObjectVersion {
  const type = id.split('--')[0] ?? 'indicator'
  const json =
    version === ''
      ? JSON.stringify({ type, spec_version: '2.1', id, value: 'example.com' })
      : JSON.stringify({ type, spec_version: '2.1', id, created: version, modified: version })
  return {
    collectionId: C1,
    id,
    type,
    specVersion: '2.1',
    version,
    versionKey: versionKeyOf(version),
    json,
    publisherOrgId: 'org-1',
    publisherActor: 'user-1',
    markingRefs: [],
    tlp: null,
    distribution: { scope: 'community', groups: [], recipients: [] },
    anonymous: false,
    originPeer: null,
    revoked: false,
    ...overrides,
  }
}

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const ind = (n: number): string => `indicator--${uuid(n)}`
const V1 = '2026-01-01T00:00:00.000Z'
const V2 = '2026-01-02T00:00:00.000Z'
const V3 = '2026-01-03T00:00:00.000Z'

function status(overrides: Partial<StatusRecord> = {}): StatusRecord {
  return {
    id: '2d086da7-4bdc-4f91-900e-d77486753710',
    apiRootId: ROOT,
    ownerUserId: 'user-1',
    status: 'pending',
    requestTimestamp: '2026-01-01T00:00:00.000000Z',
    totalCount: 3,
    successes: [{ id: ind(1), version: V1 }],
    failures: [{ id: ind(2), version: V1, message: 'pattern: syntax error at column 3' }],
    pendings: [{ id: ind(3), version: V1 }],
    expiresAt: '2026-01-02T00:00:00.000Z',
    ...overrides,
  }
}

const versionsOf = (items: StoredObjectVersion[]): string[] =>
  items.map((i) => `${i.id.slice(-2)}@${i.version}`)

/** Runs the whole Store contract against stores made by `makeStore`. */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store

    beforeEach(async () => {
      store = await makeStore()
      await store.createApiRoot({
        id: ROOT,
        path: 'api1',
        title: 'API root one',
        description: null,
        maxContentLength: 10_485_760,
        createdAt: '2026-01-01T00:00:00.000Z',
      })
      await store.createCollection(makeCollection())
      await store.createCollection(makeCollection({ id: C2, alias: 'second', description: null }))
    })

    afterEach(async () => {
      await store.close()
    })

    const add = (versions: NewObjectVersion[], now = T0) => store.addObjects(versions, now)
    const query = (q: Partial<Parameters<Store['queryObjects']>[0]> = {}) =>
      store.queryObjects({ collectionId: C1, limit: 1000, ...q })

    describe('migrations', () => {
      it('is at the latest schema version and migrating again applies nothing', async () => {
        expect(await store.schemaVersion()).toBe(latestSchemaVersion)
        expect(await store.migrate()).toEqual([])
        expect(await store.migrate()).toEqual([])
        expect(await store.schemaVersion()).toBe(latestSchemaVersion)
      })

      it('refuses every call after close with STORE_UNAVAILABLE', async () => {
        const other = await makeStore()
        await other.close()
        await other.close()
        await expectAppError(other.getSetting('x'), 'STORE_UNAVAILABLE')
        await expectAppError(other.countObjects(), 'STORE_UNAVAILABLE')
        await expectAppError(other.addObjects([makeVersion(ind(1), V1)], T0), 'STORE_UNAVAILABLE')
      })

      it('names its dialect in the capabilities', () => {
        expect(['sqlite', 'postgres']).toContain(store.capabilities.dialect)
      })
    })

    describe('settings', () => {
      it('returns undefined for an unknown key, then the value set, then the replacement', async () => {
        expect(await store.getSetting('node.name')).toBeUndefined()
        await store.setSetting('node.name', 'alpha')
        expect(await store.getSetting('node.name')).toBe('alpha')
        await store.setSetting('node.name', 'beta ✓')
        expect(await store.getSetting('node.name')).toBe('beta ✓')
      })
    })

    describe('organisations and users', () => {
      const org = {
        id: 'org-1',
        name: 'Acme CERT',
        identityId: `identity--${uuid(1)}`,
        createdAt: '2026-01-01T00:00:00.000Z',
      }
      const user = {
        id: 'user-1',
        orgId: 'org-1',
        name: 'alice',
        role: 'analyst' as const,
        passwordHash: 'scrypt$abc',
        disabled: false,
        createdAt: '2026-01-01T00:00:00.000Z',
      }

      it('creates, reads and lists organisations', async () => {
        await store.createOrganisation(org)
        await store.createOrganisation({ ...org, id: 'org-0', name: 'Beta SOC' })
        expect(await store.getOrganisation('org-1')).toEqual(org)
        expect(await store.getOrganisationByName('Acme CERT')).toEqual(org)
        expect(await store.getOrganisation('nope')).toBeUndefined()
        expect((await store.listOrganisations()).map((o) => o.name)).toEqual([
          'Acme CERT',
          'Beta SOC',
        ])
      })

      it('refuses a second organisation with the same name or id as STORE_CONFLICT', async () => {
        await store.createOrganisation(org)
        await expectAppError(store.createOrganisation({ ...org, id: 'org-2' }), 'STORE_CONFLICT')
        await expectAppError(store.createOrganisation({ ...org, name: 'Other' }), 'STORE_CONFLICT')
      })

      it('creates, reads, lists, disables users and sets passwords', async () => {
        await store.createOrganisation(org)
        await store.createOrganisation({ ...org, id: 'org-2', name: 'Other' })
        await store.createUser(user)
        await store.createUser({
          ...user,
          id: 'user-2',
          name: 'bob',
          orgId: 'org-2',
          passwordHash: null,
          role: 'reader',
        })
        expect(await store.getUser('user-1')).toEqual(user)
        expect(await store.getUserByName('bob')).toMatchObject({ id: 'user-2', passwordHash: null })
        expect(await store.getUserByName('carol')).toBeUndefined()
        expect((await store.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob'])
        expect((await store.listUsers('org-2')).map((u) => u.name)).toEqual(['bob'])
        expect(await store.setUserDisabled('user-1', true)).toBe(true)
        expect((await store.getUser('user-1'))?.disabled).toBe(true)
        expect(await store.setUserDisabled('missing', true)).toBe(false)
        expect(await store.setUserPassword('user-2', 'scrypt$new')).toBe(true)
        expect((await store.getUser('user-2'))?.passwordHash).toBe('scrypt$new')
        expect(await store.setUserPassword('missing', 'x')).toBe(false)
        expect(await store.setUserRole('user-2', 'analyst')).toBe(true)
        expect((await store.getUser('user-2'))?.role).toBe('analyst')
        expect(await store.setUserRole('missing', 'admin')).toBe(false)
      })

      it('maps a duplicate user name to STORE_CONFLICT and an unknown organisation to STORE_NOT_FOUND', async () => {
        await store.createOrganisation(org)
        await store.createUser(user)
        await expectAppError(store.createUser({ ...user, id: 'user-9' }), 'STORE_CONFLICT')
        await expectAppError(
          store.createUser({ ...user, id: 'user-8', name: 'x', orgId: 'no-such-org' }),
          'STORE_NOT_FOUND',
        )
      })

      it('creates, finds, lists, touches and revokes API keys', async () => {
        await store.createOrganisation(org)
        await store.createUser(user)
        const key = {
          id: 'key-1',
          userId: 'user-1',
          prefix: 'im_abc123',
          keyHash: 'sha256$ff',
          label: 'ci',
          revoked: false,
          createdAt: '2026-01-01T00:00:00.000Z',
          lastUsedAt: null,
          peerId: null,
        }
        await store.createApiKey(key)
        expect(await store.getApiKeyByPrefix('im_abc123')).toEqual(key)
        expect(await store.getApiKeyByPrefix('im_zzz')).toBeUndefined()
        await expectAppError(store.createApiKey({ ...key, id: 'key-2' }), 'STORE_CONFLICT')
        await store.touchApiKey('key-1', '2026-01-05T00:00:00.000Z')
        expect((await store.listApiKeys('user-1'))[0]?.lastUsedAt).toBe('2026-01-05T00:00:00.000Z')
        expect(await store.listApiKeys('user-2')).toEqual([])
        expect(await store.revokeApiKey('key-1')).toBe(true)
        expect(await store.revokeApiKey('key-404')).toBe(false)
        expect((await store.listApiKeys())[0]?.revoked).toBe(true)
      })
    })

    describe('API roots, collections and grants', () => {
      it('reads API roots and collections back as created', async () => {
        expect(await store.getApiRootByPath('api1')).toMatchObject({ id: ROOT, description: null })
        expect(await store.getApiRootByPath('api2')).toBeUndefined()
        expect((await store.listApiRoots()).map((r) => r.path)).toEqual(['api1'])
        expect(await store.getCollection(C1)).toEqual(makeCollection())
        expect(await store.getCollectionByAlias('second')).toMatchObject({ id: C2 })
        expect(await store.getCollection('nope')).toBeUndefined()
        expect((await store.listCollections(ROOT)).map((c) => c.id).sort()).toEqual([C1, C2].sort())
        expect(await store.listCollections('other-root')).toEqual([])
      })

      it('refuses a duplicate alias or path as STORE_CONFLICT and an unknown API root as STORE_NOT_FOUND', async () => {
        await expectAppError(
          store.createCollection(makeCollection({ id: uuid(77) })),
          'STORE_CONFLICT',
        )
        await expectAppError(
          store.createCollection(makeCollection({ id: uuid(78), alias: 'x', apiRootId: 'nope' })),
          'STORE_NOT_FOUND',
        )
        await expectAppError(
          store.createApiRoot({
            id: 'root-2',
            path: 'api1',
            title: 't',
            description: null,
            maxContentLength: 1,
            createdAt: '2026-01-01T00:00:00.000Z',
          }),
          'STORE_CONFLICT',
        )
      })

      it('inserts a grant and replaces it for the same subject', async () => {
        const grant = {
          collectionId: C1,
          subjectKind: 'org' as const,
          subjectId: 'org-1',
          canRead: true,
          canWrite: false,
        }
        await store.setCollectionGrant(grant)
        await store.setCollectionGrant({ ...grant, subjectKind: 'user', subjectId: 'user-1' })
        await store.setCollectionGrant({ ...grant, canWrite: true })
        await store.setCollectionGrant({ ...grant, collectionId: C2, canRead: false })
        expect(await store.listCollectionGrants(C1)).toEqual([
          { ...grant, canWrite: true },
          { ...grant, subjectKind: 'user', subjectId: 'user-1' },
        ])
        expect(await store.listCollectionGrants()).toHaveLength(3)
      })
    })

    describe('statuses (TAXII 2.1 section 4.3.1)', () => {
      it('creates, updates, reads and purges status records', async () => {
        const s = status()
        await store.createStatus(s)
        expect(await store.getStatus(s.id)).toEqual(s)
        const done = status({
          status: 'complete',
          successes: [...s.successes, { id: ind(3), version: V1 }],
          pendings: [],
        })
        await store.updateStatus(done)
        expect(await store.getStatus(s.id)).toEqual(done)
        await expectAppError(store.createStatus(s), 'STORE_CONFLICT')
        await store.createStatus(status({ id: 'later', expiresAt: '2026-01-03T00:00:00Z' }))
        expect(await store.purgeStatuses('2026-01-02T00:00:00.5Z')).toBe(1)
        expect(await store.getStatus(s.id)).toBeUndefined()
        expect(await store.getStatus('later')).toBeDefined()
        expect(await store.purgeStatuses('2026-01-02T00:00:00.5Z')).toBe(0)
      })

      it('reports updating an unknown status as STORE_NOT_FOUND', async () => {
        await expectAppError(store.updateStatus(status({ id: 'missing' })), 'STORE_NOT_FOUND')
      })
    })

    describe('addObjects', () => {
      it('assigns unique, strictly increasing date_added with six fractional digits', async () => {
        const results = await add([
          makeVersion(ind(1), V1),
          makeVersion(ind(2), V1),
          makeVersion(ind(3), V1),
        ])
        expect(results.map((r) => r.outcome)).toEqual(['added', 'added', 'added'])
        expect(results.map((r) => r.dateAdded)).toEqual([
          microsToTimestamp(T0),
          microsToTimestamp(T0 + 1),
          microsToTimestamp(T0 + 2),
        ])
        expect(results[0]?.dateAdded).toBe('2026-01-01T00:00:00.000000Z')
        for (const r of results)
          expect(r.dateAdded).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
        // A clock that went backwards still gets later date_added values.
        const later = await add([makeVersion(ind(4), V1)], T0 - 5_000_000)
        expect(later[0]?.dateAdded).toBe(microsToTimestamp(T0 + 3))
        // A clock ahead is used as it is.
        const ahead = await add([makeVersion(ind(5), V1)], T0 + 10_000_000)
        expect(ahead[0]?.dateAdded).toBe(microsToTimestamp(T0 + 10_000_000))
        const page = await query({ versions: { kind: 'all' } })
        expect(page.items.map((i) => i.dateAddedMicros)).toEqual([
          T0,
          T0 + 1,
          T0 + 2,
          T0 + 3,
          T0 + 10_000_000,
        ])
        for (const i of page.items) expect(timestampToMicros(i.dateAdded)).toBe(i.dateAddedMicros)
      })

      it('counts date_added separately per collection', async () => {
        await add([makeVersion(ind(1), V1)])
        const other = await add([makeVersion(ind(1), V1, { collectionId: C2 })])
        expect(other[0]).toMatchObject({ outcome: 'added', dateAdded: microsToTimestamp(T0) })
      })

      it('stores the JSON byte for byte: key order, whitespace, unicode and escapes', async () => {
        const json =
          '{  "type":"indicator","id":"' +
          ind(1) +
          '",\n\t"name" : "Ünïcødé ✓ 𝒳 \\u00e9 \\" \\\\ \\/",  "spec_version":"2.1",' +
          '"created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z" ,"n":1.50e3 }\n'
        await add([makeVersion(ind(1), V1, { json })])
        const [stored] = await store.getObjectVersions(C1, ind(1))
        expect(stored?.json).toBe(json)
        expect(Buffer.from(stored?.json ?? '', 'utf8').equals(Buffer.from(json, 'utf8'))).toBe(true)
      })

      it('keeps every metadata column as given', async () => {
        const v = makeVersion(ind(1), '2026-01-01T00:00:00.1234567Z', {
          publisherOrgId: null,
          publisherActor: 'peer:beta',
          markingRefs: [
            'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
            'marking-definition--x',
          ],
          tlp: 'amber+strict',
          distribution: { scope: 'groups', groups: ['g1', 'g2'], recipients: ['org-3'] },
          anonymous: true,
          originPeer: 'peer-beta',
          revoked: true,
          specVersion: '2.0',
        })
        await add([v])
        const [stored] = await store.getObjectVersions(C1, ind(1))
        const { versionKey: _k, ...rest } = v
        expect(stored).toMatchObject(rest)
        expect(stored?.version).toBe('2026-01-01T00:00:00.1234567Z')
        expect(stored?.versionKey).toBe(versionKeyOf('2026-01-01T00:00:00.1234567Z'))
        expect(stored?.dateAdded).toBe(microsToTimestamp(T0))
      })

      it('reports a version already stored as a duplicate with its first date_added, and stores it once', async () => {
        await add([makeVersion(ind(1), V1)])
        const again = await add(
          [makeVersion(ind(1), V1), makeVersion(ind(2), V1), makeVersion(ind(2), V1)],
          T0 + 100,
        )
        expect(again).toEqual([
          { id: ind(1), version: V1, outcome: 'duplicate', dateAdded: microsToTimestamp(T0) },
          { id: ind(2), version: V1, outcome: 'added', dateAdded: microsToTimestamp(T0 + 100) },
          { id: ind(2), version: V1, outcome: 'duplicate', dateAdded: microsToTimestamp(T0 + 100) },
        ])
        expect(await store.countObjects(C1)).toBe(2)
      })

      it('treats the same instant written differently as the same version (STIX 2.1 section 3.2)', async () => {
        await add([makeVersion(ind(1), '2026-01-01T00:00:00Z')])
        const again = await add([makeVersion(ind(1), '2026-01-01T00:00:00.000000Z')])
        expect(again[0]?.outcome).toBe('duplicate')
        expect(await store.countObjects()).toBe(1)
      })

      it('keeps an object without a version (an SCO) as a single version', async () => {
        const sco = `domain-name--${uuid(5)}`
        expect((await add([makeVersion(sco, '')]))[0]?.outcome).toBe('added')
        expect((await add([makeVersion(sco, '')]))[0]?.outcome).toBe('duplicate')
        for (const kind of ['last', 'first', 'all'] as const) {
          expect((await query({ versions: { kind } })).items.map((i) => i.id)).toEqual([sco])
        }
      })

      it('stores all or nothing: an unknown collection fails the whole call with STORE_NOT_FOUND', async () => {
        await expectAppError(
          add([makeVersion(ind(1), V1), makeVersion(ind(2), V1, { collectionId: 'nope' })]),
          'STORE_NOT_FOUND',
        )
        expect(await store.countObjects()).toBe(0)
        // The collection's counter did not move either.
        expect((await add([makeVersion(ind(3), V1)]))[0]?.dateAdded).toBe(microsToTimestamp(T0))
      })

      it('keeps first and last right when one call adds several versions out of order', async () => {
        await add([makeVersion(ind(1), V2), makeVersion(ind(1), V1), makeVersion(ind(1), V3)])
        await add([makeVersion(ind(2), V2)])
        await add([makeVersion(ind(2), V3), makeVersion(ind(2), V1), makeVersion(ind(2), V2)])
        expect(versionsOf((await query({ versions: { kind: 'first' } })).items)).toEqual([
          `01@${V1}`,
          `02@${V1}`,
        ])
        expect(versionsOf((await query()).items)).toEqual([`01@${V3}`, `02@${V3}`])
      })

      it('returns an empty list for an empty call', async () => {
        expect(await add([])).toEqual([])
      })
    })

    describe('queryObjects: match[version] (TAXII 2.1 section 3.4.2)', () => {
      beforeEach(async () => {
        // ind(1): V1, V3 then V2 (added out of version order); ind(2): V2 only.
        await add([makeVersion(ind(1), V1), makeVersion(ind(2), V2)])
        await add([makeVersion(ind(1), V3)], T0 + 10)
        await add([makeVersion(ind(1), V2)], T0 + 20)
      })

      it('returns only the latest version of each object by default', async () => {
        const page = await query()
        expect(versionsOf(page.items)).toEqual([`02@${V2}`, `01@${V3}`])
        expect(page.more).toBe(false)
        expect(versionsOf((await query({ versions: { kind: 'last' } })).items)).toEqual(
          versionsOf(page.items),
        )
      })

      it('returns the earliest version for first', async () => {
        expect(versionsOf((await query({ versions: { kind: 'first' } })).items)).toEqual([
          `01@${V1}`,
          `02@${V2}`,
        ])
      })

      it('returns every version for all, ordered by date_added', async () => {
        expect(versionsOf((await query({ versions: { kind: 'all' } })).items)).toEqual([
          `01@${V1}`,
          `02@${V2}`,
          `01@${V3}`,
          `01@${V2}`,
        ])
      })

      it('matches exact versions by instant, whatever the fraction is written like', async () => {
        const exact: VersionMatch = { kind: 'exact', keys: [versionKeyOf('2026-01-02T00:00:00Z')] }
        expect(versionsOf((await query({ versions: exact })).items)).toEqual([
          `02@${V2}`,
          `01@${V2}`,
        ])
        const raw: VersionMatch = { kind: 'exact', keys: ['2026-01-03T00:00:00.0Z'] }
        expect(versionsOf((await query({ versions: raw })).items)).toEqual([`01@${V3}`])
        expect((await query({ versions: { kind: 'exact', keys: [] } })).items).toEqual([])
      })

      it('returns the union for a comma list such as first,last', async () => {
        const union: VersionMatch = { kind: 'union', parts: [{ kind: 'first' }, { kind: 'last' }] }
        expect(versionsOf((await query({ versions: union })).items)).toEqual([
          `01@${V1}`,
          `02@${V2}`,
          `01@${V3}`,
        ])
        const mixed: VersionMatch = {
          kind: 'union',
          parts: [{ kind: 'first' }, { kind: 'exact', keys: [versionKeyOf(V2)] }],
        }
        expect(versionsOf((await query({ versions: mixed })).items)).toEqual([
          `01@${V1}`,
          `02@${V2}`,
          `01@${V2}`,
        ])
        const withAll: VersionMatch = { kind: 'union', parts: [{ kind: 'last' }, { kind: 'all' }] }
        expect((await query({ versions: withAll })).items).toHaveLength(4)
      })

      it('applies added_after to the latest version, not to an older one (section 3.4.2 "latest version ... matching the remainder")', async () => {
        expect(versionsOf((await query({ addedAfterMicros: T0 + 1 })).items)).toEqual([`01@${V3}`])
        // The newest version (V3) was added at T0+10: after that nothing is the latest version.
        expect((await query({ addedAfterMicros: T0 + 10 })).items).toEqual([])
        expect(
          versionsOf((await query({ addedAfterMicros: T0 + 10, versions: { kind: 'all' } })).items),
        ).toEqual([`01@${V2}`])
      })

      it('lists an object’s versions oldest date_added first', async () => {
        expect(versionsOf(await store.getObjectVersions(C1, ind(1)))).toEqual([
          `01@${V1}`,
          `01@${V3}`,
          `01@${V2}`,
        ])
        expect(await store.getObjectVersions(C1, ind(9))).toEqual([])
        expect(await store.getObjectVersions(C2, ind(1))).toEqual([])
      })
    })

    describe('queryObjects: other filters (TAXII 2.1 section 3.4)', () => {
      beforeEach(async () => {
        await add([
          makeVersion(ind(1), V1),
          makeVersion(`malware--${uuid(2)}`, V1),
          makeVersion(`malware--${uuid(3)}`, V1, { specVersion: '2.0' }),
          makeVersion(`domain-name--${uuid(4)}`, ''),
          makeVersion(ind(5), V1, { collectionId: C2 }),
        ])
      })

      it('filters by id, type and spec_version, combined with AND', async () => {
        expect((await query({ ids: [ind(1), ind(5)] })).items.map((i) => i.id)).toEqual([ind(1)])
        expect((await query({ types: ['malware'] })).items).toHaveLength(2)
        expect((await query({ types: ['malware', 'domain-name'] })).items).toHaveLength(3)
        expect((await query({ specVersions: ['2.0'] })).items.map((i) => i.id)).toEqual([
          `malware--${uuid(3)}`,
        ])
        expect(
          (
            await query({ types: ['malware'], specVersions: ['2.1'], addedAfterMicros: T0 })
          ).items.map((i) => i.id),
        ).toEqual([`malware--${uuid(2)}`])
        expect((await query({ types: ['malware'], ids: [ind(1)] })).items).toEqual([])
        expect((await query({ types: [] })).items).toEqual([])
        expect((await query({ collectionId: C2 })).items.map((i) => i.id)).toEqual([ind(5)])
        expect((await query({ collectionId: 'unknown' })).items).toEqual([])
      })

      it('counts stored versions per collection and in all', async () => {
        expect(await store.countObjects(C1)).toBe(4)
        expect(await store.countObjects(C2)).toBe(1)
        expect(await store.countObjects()).toBe(5)
      })
    })

    describe('queryObjects: paging (TAXII 2.1 section 3.5)', () => {
      it('pages with limit and the afterMicros cursor, setting more until the end', async () => {
        const all = Array.from({ length: 53 }, (_, n) => makeVersion(ind(n + 1), V1))
        await add(all.slice(0, 30))
        await add(all.slice(30))
        const seen: string[] = []
        let cursor: number | undefined
        let pages = 0
        for (;;) {
          const page = await query({
            limit: 7,
            ...(cursor === undefined ? {} : { afterMicros: cursor }),
          })
          pages++
          seen.push(...page.items.map((i) => i.id))
          if (!page.more) break
          expect(page.items).toHaveLength(7)
          cursor = page.items.at(-1)?.dateAddedMicros
        }
        expect(pages).toBe(8)
        expect(seen).toEqual(all.map((v) => v.id))
        const exact = await query({ limit: 53 })
        expect(exact.more).toBe(false)
        const zero = await query({ limit: 0 })
        expect(zero).toEqual({ items: [], more: true })
      })

      it('pages through several types in date_added order', async () => {
        const kinds = ['malware', 'indicator', 'tool']
        const all = Array.from({ length: 30 }, (_, n) =>
          makeVersion(`${kinds[n % 3] ?? 'tool'}--${uuid(n)}`, V1),
        )
        await add(all)
        const seen: string[] = []
        let cursor: number | undefined
        for (;;) {
          const page = await query({
            types: ['tool', 'malware'],
            limit: 4,
            ...(cursor === undefined ? {} : { afterMicros: cursor }),
          })
          seen.push(...page.items.map((i) => i.id))
          cursor = page.items.at(-1)?.dateAddedMicros
          if (!page.more) break
        }
        expect(seen).toEqual(all.filter((v) => v.type !== 'indicator').map((v) => v.id))
      })

      it('uses the later of added_after and the cursor', async () => {
        await add(Array.from({ length: 10 }, (_, n) => makeVersion(ind(n + 1), V1)))
        const page = await query({ addedAfterMicros: T0 + 5, afterMicros: T0 + 2 })
        expect(page.items.map((i) => i.dateAddedMicros)).toEqual([T0 + 6, T0 + 7, T0 + 8, T0 + 9])
        const other = await query({ addedAfterMicros: T0 + 2, afterMicros: T0 + 7 })
        expect(other.items.map((i) => i.dateAddedMicros)).toEqual([T0 + 8, T0 + 9])
      })

      it('never skips or repeats an object while others are added between and during pages', async () => {
        let next = 1
        const batch = (n: number) => Array.from({ length: n }, () => makeVersion(ind(next++), V1))
        await add(batch(20))
        const seen: string[] = []
        let cursor: number | undefined
        let round = 0
        for (;;) {
          // Writers with a lagging clock and with the real one, racing the reader.
          const writes =
            round < 10
              ? Promise.all([add(batch(3), T0 - 1000), add(batch(2), T0 + round)])
              : Promise.resolve([])
          const page = await query({
            limit: 4,
            versions: { kind: 'all' },
            ...(cursor === undefined ? {} : { afterMicros: cursor }),
          })
          await writes
          seen.push(...page.items.map((i) => i.id))
          if (page.items.length) cursor = page.items.at(-1)?.dateAddedMicros
          round++
          if (!page.more && round > 10) break
        }
        const expected = (await query({ limit: 10_000, versions: { kind: 'all' } })).items.map(
          (i) => i.id,
        )
        expect(new Set(seen).size).toBe(seen.length)
        expect(seen).toEqual(expected)
        expect(seen).toHaveLength(next - 1)
      })
    })

    describe('queryObjectJson (the envelope of TAXII 2.1 section 5.4)', () => {
      beforeEach(async () => {
        const json =
          '{ "type":"indicator", "id":"' + ind(9) + '", "name":"Ünïcødé ✓ 𝒳 \\u00e9 \\"" }\n'
        await add([
          makeVersion(ind(1), V1),
          makeVersion(`malware--${uuid(2)}`, V1),
          makeVersion(`malware--${uuid(3)}`, V1, { specVersion: '2.0' }),
          makeVersion(`domain-name--${uuid(4)}`, ''),
          makeVersion(ind(5), V1, { collectionId: C2 }),
          makeVersion(ind(9), V1, { json }),
        ])
        await add([makeVersion(ind(1), V3)], T0 + 10)
        await add([makeVersion(ind(1), V2), makeVersion(`tool--${uuid(6)}`, V2)], T0 + 20)
      })

      it('returns the JSON and date_added of exactly the versions queryObjects returns, with the same more', async () => {
        const queries: Partial<Parameters<Store['queryObjects']>[0]>[] = [
          {},
          { limit: 2 },
          { limit: 0 },
          { versions: { kind: 'all' } },
          { versions: { kind: 'first' } },
          { versions: { kind: 'exact', keys: ['2026-01-03T00:00:00Z'] } },
          { ids: [ind(1)], versions: { kind: 'all' }, limit: 2 },
          { types: ['malware', 'tool'] },
          { types: ['malware', 'tool'], limit: 1 },
          { types: [] },
          { specVersions: ['2.0'] },
          { addedAfterMicros: T0 + 2 },
          { addedAfterMicros: T0 + 2, afterMicros: T0 + 11, versions: { kind: 'all' } },
          { collectionId: C2 },
          { collectionId: 'unknown' },
        ]
        for (const q of queries) {
          const full = await query(q)
          const lean = await store.queryObjectJson({ collectionId: C1, limit: 1000, ...q })
          expect(lean, JSON.stringify(q)).toEqual({
            json: full.items.map((i) => i.json),
            dateAddedMicros: full.items.map((i) => i.dateAddedMicros),
            // Without a visibility filter nothing is masked (issue 5, anonymous publishing).
            masked: full.items.map(() => false),
            ids: full.items.map((i) => i.id),
            tlp: full.items.map((i) => i.tlp),
            more: full.more,
          })
        }
        expect((await query({ versions: { kind: 'all' } })).items).toHaveLength(8)
      })

      it('pages with limit and the afterMicros cursor, keeping the JSON byte for byte', async () => {
        const expected = (await query({ versions: { kind: 'all' } })).items
        const json: string[] = []
        let cursor: number | undefined
        for (;;) {
          const page = await store.queryObjectJson({
            collectionId: C1,
            limit: 3,
            versions: { kind: 'all' },
            ...(cursor === undefined ? {} : { afterMicros: cursor }),
          })
          expect(page.json).toHaveLength(page.dateAddedMicros.length)
          json.push(...page.json)
          cursor = page.dateAddedMicros.at(-1)
          if (!page.more) break
          expect(page.json).toHaveLength(3)
        }
        expect(json).toEqual(expected.map((i) => i.json))
        expect(json.join('')).toContain('Ünïcødé ✓ 𝒳')
      })
    })

    describe('deleteObjects (TAXII 2.1 section 5.7)', () => {
      beforeEach(async () => {
        await add([makeVersion(ind(1), V1), makeVersion(ind(1), V2), makeVersion(ind(2), V1)])
        await add([makeVersion(ind(1), V3, { specVersion: '2.0' })], T0 + 10)
      })

      it('deletes every version when no version filter is given', async () => {
        expect(await store.deleteObjects(C1, ind(1))).toBe(3)
        expect(await store.getObjectVersions(C1, ind(1))).toEqual([])
        expect(await store.countObjects()).toBe(1)
        expect(await store.deleteObjects(C1, ind(1))).toBe(0)
      })

      it('deletes the latest version and makes the one before it the latest', async () => {
        expect(await store.deleteObjects(C1, ind(1), { kind: 'last' })).toBe(1)
        expect(versionsOf((await query({ ids: [ind(1)] })).items)).toEqual([`01@${V2}`])
        expect(await store.deleteObjects(C1, ind(1), { kind: 'first' })).toBe(1)
        expect(
          versionsOf((await query({ ids: [ind(1)], versions: { kind: 'first' } })).items),
        ).toEqual([`01@${V2}`])
        expect(versionsOf((await query({ ids: [ind(1)] })).items)).toEqual([`01@${V2}`])
      })

      it('deletes exact versions and honours spec_version', async () => {
        expect(
          await store.deleteObjects(C1, ind(1), { kind: 'exact', keys: [versionKeyOf(V2)] }),
        ).toBe(1)
        expect(await store.deleteObjects(C1, ind(1), { kind: 'all' }, ['2.1'])).toBe(1)
        expect(versionsOf(await store.getObjectVersions(C1, ind(1)))).toEqual([`01@${V3}`])
        expect(
          versionsOf((await query({ ids: [ind(1)], versions: { kind: 'first' } })).items),
        ).toEqual([`01@${V3}`])
        expect(await store.deleteObjects(C2, ind(1))).toBe(0)
      })

      it('lets a deleted version be added again as new', async () => {
        await store.deleteObjects(C1, ind(2))
        const again = await add([makeVersion(ind(2), V1)], T0)
        expect(again[0]).toMatchObject({ outcome: 'added', dateAdded: microsToTimestamp(T0 + 11) })
      })
    })

    describe('audit log', () => {
      /** Records continuing `last`, with stand-in hashes (the real chain is src/audit's). */
      const sealer =
        (entries: Partial<AuditRecord>[], seen: (AuditRecord | undefined)[] = []) =>
        (last: AuditRecord | undefined): AuditRecord[] => {
          seen.push(last)
          let seq = last?.seq ?? 0
          let prevHash = last?.hash ?? 'genesis'
          return entries.map((entry) => {
            seq++
            const record: AuditRecord = {
              seq,
              ts: microsToTimestamp(T0 + seq),
              tsMicros: T0 + seq,
              actorKind: 'user',
              actorId: 'user-1',
              action: 'write',
              objectIds: '[]',
              collectionId: C1,
              outcome: 'success',
              details: '{}',
              prevHash,
              hash: `hash-${seq}`,
              ...entry,
            }
            prevHash = record.hash
            return record
          })
        }
      const all = () => store.listAudit({ limit: 1000 })

      it('starts empty', async () => {
        expect(await store.lastAudit()).toBeUndefined()
        expect(await all()).toEqual([])
      })

      it('stores exactly what the sealer returns and hands it the last entry next time', async () => {
        const seen: (AuditRecord | undefined)[] = []
        const first = await store.appendAudit(
          sealer(
            [
              {
                actorKind: 'key',
                actorId: 'k-\u00e9\u{1F511}',
                objectIds: `["${ind(1)}","${ind(2)}"]`,
                details: '{"note":"caf\u00e9 \\"quoted\\""}',
              },
              { collectionId: null, action: 'login-failure', outcome: 'denied' },
            ],
            seen,
          ),
        )
        expect(first.map((r) => r.seq)).toEqual([1, 2])
        expect(await all()).toEqual(first)
        expect(await store.lastAudit()).toEqual(first[1])
        const second = await store.appendAudit(sealer([{ action: 'read' }], seen))
        expect(seen).toEqual([undefined, first[1]])
        expect(second).toMatchObject([{ seq: 3, prevHash: 'hash-2' }])
        expect((await all()).map((r) => r.seq)).toEqual([1, 2, 3])
        expect(await store.appendAudit(sealer([]))).toEqual([])
        expect(await store.lastAudit()).toEqual(second[0])
      })

      it('refuses records that do not continue the log, writing none of them', async () => {
        await store.appendAudit(sealer([{}]))
        const skipping = (last: AuditRecord | undefined) =>
          sealer([{}, {}])(last).map((r, i) => (i === 1 ? { ...r, seq: r.seq + 1 } : r))
        await expectAppError(store.appendAudit(skipping), 'AUDIT_INVALID_ENTRY')
        const restarting = (last: AuditRecord | undefined) =>
          sealer([{}])(last && { ...last, seq: 0 })
        await expectAppError(store.appendAudit(restarting), 'AUDIT_INVALID_ENTRY')
        const unlinked = (last: AuditRecord | undefined) =>
          sealer([{}])(last).map((r) => ({ ...r, prevHash: 'elsewhere' }))
        await expectAppError(store.appendAudit(unlinked), 'AUDIT_INVALID_ENTRY')
        expect((await all()).map((r) => r.seq)).toEqual([1])
      })

      it('writes nothing when the sealer throws, and passes its error on', async () => {
        const failure = new Error('sealer failed')
        await expect(
          store.appendAudit(() => {
            throw failure
          }),
        ).rejects.toBe(failure)
        expect(await all()).toEqual([])
      })

      it('keeps entries from concurrent appends on one chain, without gaps', async () => {
        await Promise.all(
          Array.from({ length: 8 }, (_, n) =>
            store.appendAudit(sealer([{ actorId: `a${n}` }, { actorId: `b${n}` }])),
          ),
        )
        const records = await all()
        expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1))
        records.slice(1).forEach((r, i) => expect(r.prevHash).toBe(records[i]?.hash))
      })

      describe('listAudit filters', () => {
        beforeEach(async () => {
          await store.appendAudit(
            sealer([
              { actorId: 'alice', objectIds: `["${ind(1)}"]` },
              { actorId: 'bob', actorKind: 'key', action: 'read', objectIds: `["${ind(10)}"]` },
              { actorId: 'alice', action: 'delete', objectIds: `["${ind(2)}","${ind(1)}"]` },
              { actorId: 'peer-x', actorKind: 'peer', objectIds: '[]' },
              { actorId: 'alice', action: 'read', outcome: 'denied', objectIds: `["${ind(1)}"]` },
            ]),
          )
        })
        const seqs = async (filter: Partial<AuditFilter>) =>
          (await store.listAudit({ limit: 100, ...filter })).map((r) => r.seq)

        it('pages by sequence number with afterSeq and limit', async () => {
          expect(await seqs({ limit: 2 })).toEqual([1, 2])
          expect(await seqs({ afterSeq: 2, limit: 2 })).toEqual([3, 4])
          expect(await seqs({ afterSeq: 4, limit: 2 })).toEqual([5])
          expect(await seqs({ afterSeq: 5 })).toEqual([])
          expect(await seqs({ limit: 0 })).toEqual([])
        })

        it('filters by time (inclusive), actor, actor kind and action', async () => {
          expect(await seqs({ sinceMicros: T0 + 4 })).toEqual([4, 5])
          expect(await seqs({ actorId: 'alice' })).toEqual([1, 3, 5])
          expect(await seqs({ actorKind: 'key' })).toEqual([2])
          expect(await seqs({ action: 'read' })).toEqual([2, 5])
          expect(await seqs({ actorId: 'alice', action: 'read', sinceMicros: T0 + 2 })).toEqual([5])
          expect(await seqs({ actorId: 'alice', afterSeq: 1, limit: 1 })).toEqual([3])
        })

        it('filters by object id, matching whole ids only', async () => {
          expect(await seqs({ objectId: ind(1) })).toEqual([1, 3, 5])
          expect(await seqs({ objectId: ind(10) })).toEqual([2])
          expect(await seqs({ objectId: ind(3) })).toEqual([])
          expect(await seqs({ objectId: ind(1).toUpperCase() })).toEqual([])
          expect(await seqs({ objectId: 'indicator' })).toEqual([])
        })
      })
    })
  })
  describePeerStoreContract(name, makeStore)
}

/**
 * The PeerStore half of the contract (issue 6: peers, sync cursors, tombstones, run leases),
 * run by {@link describeStoreContract} against the same adapters.
 */
export function describePeerStoreContract(name: string, makeStore: MakeStore): void {
  describe(`PeerStore contract: ${name}`, () => {
    let store: Store
    const ORG = 'a7d1b5a4-8a55-4a39-9b55-4f3c6f0b1e01'
    const peerOf = (overrides: Partial<Peer> = {}): Peer => ({
      id: '1f0c3bde-7d5e-4c1f-a7a8-3c4b2a1d0e01',
      name: 'node-b',
      url: 'http://127.0.0.1:9/api1/',
      auth: { kind: 'basic', username: 'sync', password: 's3cret' },
      direction: 'both',
      orgId: ORG,
      maps: [{ localCollectionId: C1, remoteCollectionId: 'remote-1' }],
      filter: { types: ['indicator'], tlpCeiling: 'amber' },
      applyTombstones: true,
      enabled: true,
      createdAt: '2026-01-01T00:00:00.000000Z',
      ...overrides,
    })
    const cursorOf = (overrides: Partial<SyncCursor> = {}): SyncCursor => ({
      peerId: peerOf().id,
      localCollectionId: C1,
      remoteCollectionId: 'remote-1',
      direction: 'pull',
      position: '2026-01-01T00:00:00.000001Z',
      lastRunAt: '2026-01-02T00:00:00.000000Z',
      lastSuccessAt: null,
      movedTotal: 12,
      movedLastRun: 2,
      invalidTotal: 1,
      danglingLastRun: 0,
      lastError: 'boom',
      lagMicros: 5_000_000,
      ...overrides,
    })

    beforeEach(async () => {
      store = await makeStore()
      await store.createOrganisation({
        id: ORG,
        name: 'Org B',
        identityId: 'identity--5c1f0d1e-7a2b-4c3d-8e4f-a1b2c3d4e5f6',
        createdAt: '2026-01-01T00:00:00.000Z',
      })
    })

    afterEach(async () => {
      await store.close()
    })

    it('stores a peer with its usable credentials and finds it by id and name', async () => {
      await store.peers.createPeer(peerOf())
      expect(await store.peers.getPeer(peerOf().id)).toEqual(peerOf())
      expect(await store.peers.getPeerByName('node-b')).toEqual(peerOf())
      expect(await store.peers.getPeerByName('node-c')).toBeUndefined()
      expect(await store.peers.listPeers()).toEqual([peerOf()])
    })

    it('refuses a second peer with the same name (STORE_CONFLICT)', async () => {
      await store.peers.createPeer(peerOf())
      await expectAppError(
        store.peers.createPeer(peerOf({ id: '1f0c3bde-7d5e-4c1f-a7a8-3c4b2a1d0e02' })),
        'STORE_CONFLICT',
      )
    })

    it('updates every setting but id and createdAt, and removes a peer with its rows', async () => {
      await store.peers.createPeer(peerOf())
      const changed = peerOf({
        url: 'https://b.example/api2/',
        auth: { kind: 'bearer', token: 'tok' },
        direction: 'pull',
        filter: {},
        applyTombstones: false,
        enabled: false,
      })
      expect(await store.peers.updatePeer(changed)).toBe(true)
      expect(await store.peers.getPeer(changed.id)).toEqual(changed)
      expect(await store.peers.updatePeer(peerOf({ id: 'nope' }))).toBe(false)
      await store.peers.saveCursor(cursorOf())
      expect(await store.peers.acquireLease(changed.id, 'me', 1, 100)).toBe(true)
      expect(await store.peers.deletePeer(changed.id)).toBe(true)
      expect(await store.peers.getPeer(changed.id)).toBeUndefined()
      expect(await store.peers.listCursors(changed.id)).toEqual([])
      expect(await store.peers.deletePeer(changed.id)).toBe(false)
    })

    it('saves a cursor and replaces it for the same key', async () => {
      await store.peers.createPeer(peerOf())
      await store.peers.saveCursor(cursorOf())
      await store.peers.saveCursor(cursorOf({ direction: 'push', position: '42', lagMicros: null }))
      expect(await store.peers.getCursor(peerOf().id, C1, 'remote-1', 'pull')).toEqual(cursorOf())
      const moved = cursorOf({ position: '2026-01-03T00:00:00Z', movedTotal: 20, lastError: null })
      await store.peers.saveCursor(moved)
      expect(await store.peers.getCursor(peerOf().id, C1, 'remote-1', 'pull')).toEqual(moved)
      expect((await store.peers.listCursors(peerOf().id)).map((c) => c.direction)).toEqual([
        'pull',
        'push',
      ])
      expect(await store.peers.getCursor(peerOf().id, C2, 'remote-1', 'pull')).toBeUndefined()
    })

    it('numbers tombstones in order and lists them after a sequence number', async () => {
      const first = await store.peers.addTombstone({
        collectionId: C1,
        objectId: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        versions: null,
        deletedAt: '2026-01-01T00:00:00.000000Z',
        originPeer: null,
      })
      const second = await store.peers.addTombstone({
        collectionId: C2,
        objectId: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
        versions: ['2026-01-01T00:00:00.000Z'],
        deletedAt: '2026-01-01T00:00:01.000000Z',
        originPeer: peerOf().id,
      })
      expect(second.seq).toBeGreaterThan(first.seq)
      expect(await store.peers.listTombstones(first.seq - 1, 10)).toEqual([first, second])
      expect(await store.peers.listTombstones(first.seq, 10)).toEqual([second])
      expect(await store.peers.listTombstones(first.seq - 1, 1)).toEqual([first])
    })

    it('records what became of a tombstone at a peer, replacing an earlier outcome', async () => {
      await store.peers.createPeer(peerOf())
      const at = '2026-01-01T00:00:00.000000Z'
      await store.peers.recordTombstoneApplication({
        peerId: peerOf().id,
        seq: 3,
        outcome: 'failed',
        message: 'HTTP 403',
        at,
      })
      await store.peers.recordTombstoneApplication({
        peerId: peerOf().id,
        seq: 3,
        outcome: 'applied',
        message: null,
        at,
      })
      expect(await store.peers.listTombstoneApplications(peerOf().id)).toEqual([
        { peerId: peerOf().id, seq: 3, outcome: 'applied', message: null, at },
      ])
      expect(await store.peers.listTombstoneApplications('other')).toEqual([])
    })

    it('gives a run lease to one owner at a time until it expires or is released', async () => {
      await store.peers.createPeer(peerOf())
      const id = peerOf().id
      expect(await store.peers.acquireLease(id, 'p1', 1000, 2000)).toBe(true)
      expect(await store.peers.acquireLease(id, 'p2', 1500, 2500)).toBe(false)
      // The holder renews its own lease.
      expect(await store.peers.acquireLease(id, 'p1', 1500, 3000)).toBe(true)
      expect(await store.peers.acquireLease(id, 'p2', 2999, 4000)).toBe(false)
      // Expired: another owner takes it.
      expect(await store.peers.acquireLease(id, 'p2', 3001, 4000)).toBe(true)
      await store.peers.releaseLease(id, 'p1')
      expect(await store.peers.acquireLease(id, 'p1', 3500, 5000)).toBe(false)
      await store.peers.releaseLease(id, 'p2')
      expect(await store.peers.acquireLease(id, 'p1', 3500, 5000)).toBe(true)
    })
  })
}
