/**
 * The sharing half of the Store contract (issue 5): sharing groups, organisation sharing,
 * public collections, peer-owned keys, and the visibility filter, which must return exactly
 * the versions `decideVisibility` (src/sharing/policy.ts) calls visible. Both adapters' test
 * files call `describeSharingContract` with the factory they give `describeStoreContract`.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError, type ErrorCode } from '../errors.js'
import {
  decideVisibility,
  sharedVersionOf,
  type SharingContext,
  type Viewer,
} from '../sharing/policy.js'
import type { MakeStore } from './store.contract.js'
import type {
  Collection,
  DistributionScope,
  NewObjectVersion,
  ObjectQuery,
  Organisation,
  OrganisationSharing,
  SharingGroup,
  Store,
  StoredObjectVersion,
  TlpLevel,
  VersionMatch,
  VisibilityFilter,
} from './store.js'
import { versionKeyOf } from './timestamps.js'

const T0 = 1_767_225_600_000_000 // 2026-01-01T00:00:00Z in microseconds
const ROOT = 'root-s'
const CREATED = '2026-01-01T00:00:00.000Z'
const TLPS: readonly TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red']
const SCOPES: readonly DistributionScope[] = ['organisation', 'groups', 'community', 'federation']

async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(isAppError(caught, code), `expected AppError ${code}, got ${String(caught)}`).toBe(true)
}

const orgUuid = (n: number): string => `0a1b2c3d-0000-4000-8000-${String(n).padStart(12, '0')}`
const groupUuid = (n: number): string => `9a1b2c3d-0000-4000-8000-${String(n).padStart(12, '0')}`
const objectId = (type: string, n: number): string =>
  `${type}--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

function organisation(id: string, name: string): Organisation {
  return { id, name, identityId: `identity--${id}`, createdAt: CREATED }
}

function collection(id: string, alias: string, overrides: Partial<Collection> = {}): Collection {
  return {
    id,
    apiRootId: ROOT,
    alias,
    title: alias,
    description: null,
    mediaTypes: [],
    defaultDistribution: { scope: 'organisation', groups: [], recipients: [] },
    public: false,
    createdAt: CREATED,
    ...overrides,
  }
}

function version(
  collectionId: string,
  id: string,
  modified: string,
  overrides: Partial<NewObjectVersion> = {},
): NewObjectVersion {
  const type = id.split('--')[0] ?? 'indicator'
  return {
    collectionId,
    id,
    type,
    specVersion: '2.1',
    version: modified,
    versionKey: versionKeyOf(modified),
    json: JSON.stringify({ type, spec_version: '2.1', id, created: modified, modified }),
    publisherOrgId: null,
    publisherActor: null,
    markingRefs: [],
    tlp: null,
    distribution: { scope: 'community', groups: [], recipients: [] },
    anonymous: false,
    originPeer: null,
    revoked: false,
    ...overrides,
  }
}

const modifiedAt = (n: number): string => new Date(Date.UTC(2026, 0, 1 + n)).toISOString()

/** The rule's viewer for a store filter. */
function viewerOfFilter(filter: VisibilityFilter): Viewer {
  switch (filter.kind) {
    case 'user':
      return {
        kind: 'user',
        orgId: filter.orgId,
        role: filter.isNodeAdmin ? 'admin' : 'reader',
        isNodeAdmin: filter.isNodeAdmin,
      }
    case 'public':
      return { kind: 'public' }
    case 'peer':
      return { kind: 'peer', peerId: filter.peerId, orgId: filter.orgId }
  }
}

/** What `decideVisibility` says about a stored row (the model the SQL filter must equal). */
function visibleByRule(
  row: StoredObjectVersion,
  filter: VisibilityFilter,
  context: SharingContext,
): boolean {
  return decideVisibility(viewerOfFilter(filter), sharedVersionOf(row, filter.defaultTlp), context)
    .visible
}

/** The rows a query must return under the rule: first/last among the visible versions. */
function expectedRows(
  rows: readonly StoredObjectVersion[],
  query: Omit<ObjectQuery, 'limit' | 'collectionId'>,
  visible: (row: StoredObjectVersion) => boolean,
): StoredObjectVersion[] {
  const seen = rows.filter(visible)
  const bounds = new Map<string, { min: string; max: string }>()
  for (const row of seen) {
    const b = bounds.get(row.id)
    if (!b) bounds.set(row.id, { min: row.versionKey, max: row.versionKey })
    else {
      if (row.versionKey < b.min) b.min = row.versionKey
      if (row.versionKey > b.max) b.max = row.versionKey
    }
  }
  const matches = (row: StoredObjectVersion, match: VersionMatch): boolean => {
    switch (match.kind) {
      case 'last':
        return bounds.get(row.id)?.max === row.versionKey
      case 'first':
        return bounds.get(row.id)?.min === row.versionKey
      case 'all':
        return true
      case 'exact':
        return match.keys.map(versionKeyOf).includes(row.versionKey)
      case 'union':
        return match.parts.some((part) => matches(row, part))
    }
  }
  return seen
    .filter((row) => matches(row, query.versions ?? { kind: 'last' }))
    .filter((row) => query.ids === undefined || query.ids.includes(row.id))
    .filter((row) => query.types === undefined || query.types.includes(row.type))
    .filter(
      (row) => query.addedAfterMicros === undefined || row.dateAddedMicros > query.addedAfterMicros,
    )
    .filter(
      (row) => query.specVersions === undefined || query.specVersions.includes(row.specVersion),
    )
    .sort((a, b) => a.dateAddedMicros - b.dateAddedMicros)
}

/** Runs the sharing contract against stores made by `makeStore`. */
export function describeSharingContract(name: string, makeStore: MakeStore): void {
  describe(`Store sharing contract (issue 5): ${name}`, () => {
    let store: Store
    const A = orgUuid(1)
    const B = orgUuid(2)
    const C = orgUuid(3)
    const C1 = 'c1a7b528-80eb-42ed-a74d-c6fbd5a26116'

    beforeEach(async () => {
      store = await makeStore()
      await store.createApiRoot({
        id: ROOT,
        path: 'sharing',
        title: 'sharing',
        description: null,
        maxContentLength: 1_000_000,
        createdAt: CREATED,
      })
      for (const [id, n] of [
        [A, 'Org A'],
        [B, 'Org B'],
        [C, 'Org C'],
      ] as const) {
        await store.createOrganisation(organisation(id, n))
      }
      await store.createCollection(collection(C1, 'shared'))
    })

    afterEach(async () => {
      await store.close()
    })

    const group = (overrides: Partial<SharingGroup> = {}): SharingGroup => ({
      id: groupUuid(1),
      name: 'finance-isac',
      ownerOrgId: A,
      description: 'Banks',
      members: [A, B],
      createdAt: CREATED,
      ...overrides,
    })

    describe('collections and keys', () => {
      it('round-trips Collection.public and updates title, description, distribution and the flag', async () => {
        expect((await store.getCollection(C1))?.public).toBe(false)
        await store.createCollection(collection(groupUuid(50), 'open', { public: true }))
        expect((await store.getCollectionByAlias('open'))?.public).toBe(true)
        const distribution = { scope: 'groups' as const, groups: [groupUuid(1)], recipients: [B] }
        expect(
          await store.updateCollection(C1, {
            title: 'Renamed',
            description: null,
            defaultDistribution: distribution,
            public: true,
          }),
        ).toBe(true)
        expect(await store.getCollection(C1)).toEqual(
          collection(C1, 'shared', {
            title: 'Renamed',
            description: null,
            defaultDistribution: distribution,
            public: true,
          }),
        )
        expect(await store.updateCollection(C1, { description: 'again' })).toBe(true)
        expect((await store.getCollection(C1))?.title).toBe('Renamed')
        expect((await store.getCollection(C1))?.description).toBe('again')
        expect(await store.updateCollection(C1, {})).toBe(true)
        expect(await store.updateCollection('nope', { title: 'x' })).toBe(false)
        expect(await store.updateCollection('nope', {})).toBe(false)
      })

      it('removes a grant and says whether there was one', async () => {
        const grant = {
          collectionId: C1,
          subjectKind: 'org' as const,
          subjectId: A,
          canRead: true,
          canWrite: true,
        }
        await store.setCollectionGrant(grant)
        await store.setCollectionGrant({ ...grant, subjectKind: 'user', subjectId: 'user-1' })
        expect(await store.deleteCollectionGrant(C1, 'org', A)).toBe(true)
        expect(await store.deleteCollectionGrant(C1, 'org', A)).toBe(false)
        expect(await store.deleteCollectionGrant(C1, 'user', A)).toBe(false)
        expect(await store.listCollectionGrants(C1)).toEqual([
          { ...grant, subjectKind: 'user', subjectId: 'user-1' },
        ])
      })

      it('round-trips ApiKey.peerId (issue 6 peer keys) and null for a person', async () => {
        await store.createUser({
          id: 'user-1',
          orgId: A,
          name: 'sync',
          role: 'reader',
          passwordHash: null,
          disabled: false,
          createdAt: CREATED,
        })
        const key = {
          id: 'key-1',
          userId: 'user-1',
          prefix: 'im_peer01',
          keyHash: 'sha256$aa',
          label: 'peer',
          revoked: false,
          createdAt: CREATED,
          lastUsedAt: null,
          peerId: 'peer-b',
        }
        await store.createApiKey(key)
        await store.createApiKey({ ...key, id: 'key-2', prefix: 'im_pers01', peerId: null })
        expect(await store.getApiKeyByPrefix('im_peer01')).toEqual(key)
        expect((await store.getApiKeyByPrefix('im_pers01'))?.peerId).toBeNull()
        const listed = await store.listApiKeys('user-1')
        expect(Object.fromEntries(listed.map((k) => [k.id, k.peerId]))).toEqual({
          'key-1': 'peer-b',
          'key-2': null,
        })
      })
    })

    describe('sharing groups', () => {
      it('creates a group with its members and reads it by id and name', async () => {
        await store.createSharingGroup(group())
        expect(await store.getSharingGroup(groupUuid(1))).toEqual(group())
        expect(await store.getSharingGroupByName('finance-isac')).toEqual(group())
        expect(await store.getSharingGroup(groupUuid(9))).toBeUndefined()
        expect(await store.getSharingGroupByName('nope')).toBeUndefined()
      })

      it('refuses a taken name as STORE_CONFLICT and stores nothing of the second group', async () => {
        await store.createSharingGroup(group())
        await expectAppError(
          store.createSharingGroup(group({ id: groupUuid(2), members: [C] })),
          'STORE_CONFLICT',
        )
        expect(await store.getSharingGroup(groupUuid(2))).toBeUndefined()
        expect(await store.groupIdsOfOrganisation(C)).toEqual([])
      })

      it('stores the group and its members in one transaction: an unknown member stores neither', async () => {
        await expectAppError(
          store.createSharingGroup(group({ members: [A, orgUuid(99)] })),
          'STORE_NOT_FOUND',
        )
        expect(await store.getSharingGroup(groupUuid(1))).toBeUndefined()
        expect(await store.listSharingGroups()).toEqual([])
        // The name is free again.
        await store.createSharingGroup(group())
        expect((await store.getSharingGroup(groupUuid(1)))?.members).toEqual([A, B])
      })

      it('refuses an unknown owner as STORE_NOT_FOUND', async () => {
        await expectAppError(
          store.createSharingGroup(group({ ownerOrgId: orgUuid(99), members: [] })),
          'STORE_NOT_FOUND',
        )
      })

      it('lists every group, or those owned by or including an organisation', async () => {
        await store.createSharingGroup(group())
        await store.createSharingGroup(
          group({ id: groupUuid(2), name: 'energy', ownerOrgId: C, members: [] }),
        )
        await store.createSharingGroup(
          group({ id: groupUuid(3), name: 'apac', ownerOrgId: B, members: [C] }),
        )
        const names = (groups: SharingGroup[]) => groups.map((g) => g.name)
        expect(names(await store.listSharingGroups())).toEqual(['apac', 'energy', 'finance-isac'])
        expect(names(await store.listSharingGroups(A))).toEqual(['finance-isac'])
        expect(names(await store.listSharingGroups(B))).toEqual(['apac', 'finance-isac'])
        expect(names(await store.listSharingGroups(C))).toEqual(['apac', 'energy'])
        expect(await store.listSharingGroups(orgUuid(99))).toEqual([])
        expect(await store.groupIdsOfOrganisation(B)).toEqual([groupUuid(1)])
        expect(await store.groupIdsOfOrganisation(C)).toEqual([groupUuid(3)])
      })

      it('adds and removes members, saying whether anything changed', async () => {
        await store.createSharingGroup(group({ members: [A] }))
        expect(await store.addSharingGroupMember(groupUuid(1), B)).toBe(true)
        expect(await store.addSharingGroupMember(groupUuid(1), B)).toBe(false)
        expect((await store.getSharingGroup(groupUuid(1)))?.members).toEqual([A, B])
        expect(await store.groupIdsOfOrganisation(B)).toEqual([groupUuid(1)])
        expect(await store.removeSharingGroupMember(groupUuid(1), B)).toBe(true)
        expect(await store.removeSharingGroupMember(groupUuid(1), B)).toBe(false)
        expect(await store.groupIdsOfOrganisation(B)).toEqual([])
        await expectAppError(store.addSharingGroupMember(groupUuid(9), B), 'STORE_NOT_FOUND')
        await expectAppError(
          store.addSharingGroupMember(groupUuid(1), orgUuid(99)),
          'STORE_NOT_FOUND',
        )
      })

      it('updates the description and deletes a group with its memberships', async () => {
        await store.createSharingGroup(group())
        expect(await store.updateSharingGroup(groupUuid(1), { description: 'All banks' })).toBe(
          true,
        )
        expect((await store.getSharingGroup(groupUuid(1)))?.description).toBe('All banks')
        expect(await store.updateSharingGroup(groupUuid(1), {})).toBe(true)
        expect(await store.updateSharingGroup(groupUuid(9), { description: 'x' })).toBe(false)
        expect(await store.deleteSharingGroup(groupUuid(1))).toBe(true)
        expect(await store.deleteSharingGroup(groupUuid(1))).toBe(false)
        expect(await store.getSharingGroup(groupUuid(1))).toBeUndefined()
        expect(await store.groupIdsOfOrganisation(A)).toEqual([])
      })
    })

    describe('organisation sharing', () => {
      const defaults: OrganisationSharing = {
        defaultDistribution: null,
        anonymousByDefault: false,
        ceilings: { roles: {}, users: {} },
      }

      it('reads the defaults for an organisation never set, and for an unknown one', async () => {
        expect(await store.getOrganisationSharing(A)).toEqual(defaults)
        expect(await store.getOrganisationSharing(orgUuid(99))).toEqual(defaults)
      })

      it('stores and reads back defaults and ceilings, per organisation', async () => {
        const sharing: OrganisationSharing = {
          defaultDistribution: { scope: 'groups', groups: [groupUuid(1)], recipients: [C] },
          anonymousByDefault: true,
          ceilings: {
            roles: { reader: { tlp: 'amber' }, analyst: { tlp: 'green', scope: 'community' } },
            users: { 'user-1': { scope: 'organisation' } },
          },
        }
        await store.setOrganisationSharing(A, sharing)
        expect(await store.getOrganisationSharing(A)).toEqual(sharing)
        expect(await store.getOrganisationSharing(B)).toEqual(defaults)
        await store.setOrganisationSharing(A, defaults)
        expect(await store.getOrganisationSharing(A)).toEqual(defaults)
        await expectAppError(store.setOrganisationSharing(orgUuid(99), sharing), 'STORE_NOT_FOUND')
      })

      it('reads unknown, missing or malformed stored fields as their defaults', async () => {
        // Written as another version or a hand edit might leave it.
        const odd = {
          defaultDistribution: { scope: 'galaxy', groups: 'g', recipients: [B, 7] },
          anonymousByDefault: 'yes',
          ceilings: {
            roles: { reader: { tlp: 'purple', scope: 'community' }, owner: { tlp: 'red' } },
            users: { u1: 'none', u2: { tlp: 'red' } },
          },
          extra: true,
        }
        await store.setOrganisationSharing(A, odd as unknown as OrganisationSharing)
        expect(await store.getOrganisationSharing(A)).toEqual({
          defaultDistribution: { scope: 'organisation', groups: [], recipients: [B] },
          anonymousByDefault: false,
          ceilings: { roles: { reader: { scope: 'community' } }, users: { u2: { tlp: 'red' } } },
        })
        await store.setOrganisationSharing(A, [] as unknown as OrganisationSharing)
        expect(await store.getOrganisationSharing(A)).toEqual(defaults)
      })
    })

    describe('findObjectVersions', () => {
      it('returns every version of an id in every collection, by collection then date_added', async () => {
        const C0 = '0c000000-80eb-42ed-a74d-c6fbd5a26116'
        await store.createCollection(collection(C0, 'first'))
        const id = objectId('indicator', 1)
        await store.addObjects(
          [
            version(C1, id, modifiedAt(2)),
            version(C1, id, modifiedAt(1)),
            version(C0, id, modifiedAt(3)),
            version(C1, objectId('indicator', 2), modifiedAt(1)),
          ],
          T0,
        )
        const found = await store.findObjectVersions(id)
        expect(found.map((v) => [v.collectionId, v.version])).toEqual([
          [C0, modifiedAt(3)],
          [C1, modifiedAt(2)],
          [C1, modifiedAt(1)],
        ])
        expect(await store.findObjectVersions(objectId('indicator', 9))).toEqual([])
      })
    })

    describe('the visibility filter (issue 5, The rule)', () => {
      type UserFilter = Extract<VisibilityFilter, { kind: 'user' }>
      const user = (orgId: string, more: Partial<UserFilter> = {}): UserFilter => ({
        kind: 'user',
        orgId,
        isNodeAdmin: false,
        onNode: true,
        groupIds: [],
        defaultTlp: 'amber',
        ...more,
      })
      const ids = async (filter: VisibilityFilter, versions?: VersionMatch) =>
        (
          await store.queryObjects({
            collectionId: C1,
            limit: 100,
            visibility: filter,
            ...(versions ? { versions } : {}),
          })
        ).items.map((i) => `${i.id.slice(-2)}@${i.version.slice(8, 10)}`)

      it('issue 5, The rule: hides a newer invisible version without hiding the older visible one (first/last among what the viewer sees)', async () => {
        const id = objectId('indicator', 1)
        await store.addObjects(
          [
            version(C1, id, modifiedAt(1), { publisherOrgId: A, tlp: 'green' }),
            version(C1, id, modifiedAt(2), { publisherOrgId: A, tlp: 'green' }),
            version(C1, id, modifiedAt(3), {
              publisherOrgId: A,
              tlp: 'red',
              distribution: { scope: 'community', groups: [], recipients: [C] },
            }),
          ],
          T0,
        )
        expect(await ids(user(A))).toEqual(['01@04'])
        expect(await ids(user(B))).toEqual(['01@03'])
        expect(await ids(user(C))).toEqual(['01@04'])
        expect(await ids(user(B), { kind: 'first' })).toEqual(['01@02'])
        expect(await ids(user(B), { kind: 'all' })).toEqual(['01@02', '01@03'])
        const versions = await store.getObjectVersions(C1, id, user(B))
        expect(versions.map((v) => v.version)).toEqual([modifiedAt(1), modifiedAt(2)])
        expect(await store.getObjectVersions(C1, id)).toHaveLength(3)
      })

      it('issue 5, The rule: reaches group members on this node only, and no unknown group', async () => {
        await store.createSharingGroup(group({ members: [B] }))
        const to = (groups: string[]) =>
          version(C1, objectId('report', groups.length + 1), modifiedAt(1), {
            publisherOrgId: A,
            tlp: 'amber',
            distribution: { scope: 'groups', groups, recipients: [] },
          })
        await store.addObjects([to([groupUuid(1)]), to([groupUuid(7), groupUuid(8)])], T0)
        const groupIds = await store.groupIdsOfOrganisation(B)
        expect(await ids(user(B, { groupIds }))).toEqual(['02@02'])
        expect(await ids(user(B, { groupIds, onNode: false }))).toEqual([])
        expect(await ids(user(C, { groupIds: await store.groupIdsOfOrganisation(C) }))).toEqual([])
      })

      it('issue 5, The rule: hides a row with an unknown TLP or scope from everyone, publisher included', async () => {
        await store.addObjects(
          [
            version(C1, objectId('tool', 1), modifiedAt(1), {
              publisherOrgId: A,
              tlp: 'purple' as TlpLevel,
            }),
            version(C1, objectId('tool', 2), modifiedAt(1), {
              publisherOrgId: A,
              distribution: {
                scope: 'everyone' as DistributionScope,
                groups: [],
                recipients: [A],
              },
            }),
            version(C1, objectId('tool', 3), modifiedAt(1), { publisherOrgId: A }),
          ],
          T0,
        )
        expect(await ids(user(A))).toEqual(['03@02'])
        expect(await ids(user(A, { isNodeAdmin: true }))).toEqual(['03@02'])
        // Read without a filter, the stored values are handed on as they are.
        const all = await store.queryObjects({ collectionId: C1, limit: 10 })
        expect(all.items.map((i) => [i.tlp, i.distribution.scope])).toEqual([
          ['purple', 'community'],
          [null, 'everyone'],
          [null, 'community'],
        ])
      })

      it('issue 5, The rule: a node default that is no TLP level hides rows without a TLP', async () => {
        await store.addObjects([version(C1, objectId('tool', 1), modifiedAt(1))], T0)
        expect(await ids(user(A, { defaultTlp: 'white' as TlpLevel }))).toEqual([])
        expect(await ids(user(A, { defaultTlp: 'green' }))).toEqual(['01@02'])
      })

      it('matches recipients and groups exactly, also for ids with quotes, commas or backslashes', async () => {
        const odd = 'org,"odd\\'
        await store.createOrganisation(organisation(odd, 'Odd'))
        await store.addObjects(
          [
            version(C1, objectId('tool', 1), modifiedAt(1), {
              tlp: 'red',
              distribution: { scope: 'community', groups: [], recipients: [`"${B}`, odd] },
            }),
            version(C1, objectId('tool', 2), modifiedAt(1), {
              tlp: 'red',
              distribution: { scope: 'community', groups: [], recipients: [`${B},x`] },
            }),
            version(C1, objectId('tool', 3), modifiedAt(1), {
              tlp: 'red',
              distribution: { scope: 'community', groups: [], recipients: [C, B] },
            }),
            version(C1, objectId('tool', 4), modifiedAt(1), {
              tlp: 'red',
              distribution: { scope: 'community', groups: [], recipients: [',', 'x'] },
            }),
          ],
          T0,
        )
        expect(await ids(user(B))).toEqual(['03@02'])
        expect(await ids(user(odd))).toEqual(['01@02'])
        expect(await ids(user(','))).toEqual(['04@02'])
        expect(await ids(user('"'))).toEqual([])
      })

      it('marks anonymous versions masked except for users of the publishing organisation', async () => {
        await store.addObjects(
          [
            version(C1, objectId('tool', 1), modifiedAt(1), {
              publisherOrgId: A,
              anonymous: true,
              tlp: 'clear',
              distribution: { scope: 'federation', groups: [], recipients: [] },
            }),
            version(C1, objectId('tool', 2), modifiedAt(1), {
              publisherOrgId: A,
              tlp: 'clear',
              distribution: { scope: 'federation', groups: [], recipients: [] },
            }),
          ],
          T0,
        )
        const masked = async (visibility?: VisibilityFilter) =>
          (
            await store.queryObjectJson({
              collectionId: C1,
              limit: 10,
              ...(visibility ? { visibility } : {}),
            })
          ).masked
        expect(await masked()).toEqual([false, false])
        expect(await masked(user(A))).toEqual([false, false])
        expect(await masked(user(B))).toEqual([true, false])
        expect(await masked({ kind: 'peer', peerId: 'p', orgId: A, defaultTlp: 'amber' })).toEqual([
          true,
          false,
        ])
        expect(
          await masked({ kind: 'public', collectionPublic: true, defaultTlp: 'amber' }),
        ).toEqual([true, false])
        expect(
          await masked({ kind: 'public', collectionPublic: false, defaultTlp: 'amber' }),
        ).toEqual([])
      })

      it('issue 5, The rule: equals decideVisibility for random rows, viewers and queries (every match[version] kind, paged)', async () => {
        const ODD = 'org,"odd\\'
        const orgIds = [A, B, C, ODD]
        await store.createOrganisation(organisation(ODD, 'Odd'))
        const offNode = orgUuid(5)
        const peers = ['peer-1', 'peer-2']
        const types = ['indicator', 'malware', 'tool']
        const anyOrg = fc.constantFrom(...orgIds, offNode)
        const tlp = fc.constantFrom<TlpLevel | null>(null, ...TLPS, 'purple' as TlpLevel)
        const scope = fc.constantFrom<DistributionScope>(...SCOPES, 'everyone' as DistributionScope)
        const row = fc.record({
          object: fc.integer({ min: 0, max: 5 }),
          day: fc.integer({ min: 0, max: 4 }),
          publisher: fc.option(anyOrg, { nil: null }),
          tlp,
          scope,
          groups: fc.subarray([0, 1, 2, 9]),
          recipients: fc.subarray([...orgIds, offNode, `"${B}`]),
          originPeer: fc.option(fc.constantFrom(...peers, 'peer-3'), { nil: null }),
          anonymous: fc.boolean(),
          specVersion: fc.constantFrom('2.1', '2.0'),
        })
        const viewer = fc.oneof(
          fc.record({
            kind: fc.constant('user' as const),
            orgId: anyOrg,
            isNodeAdmin: fc.boolean(),
          }),
          fc.record({ kind: fc.constant('public' as const), collectionPublic: fc.boolean() }),
          fc.record({
            kind: fc.constant('peer' as const),
            peerId: fc.constantFrom(...peers),
            orgId: anyOrg,
          }),
        )
        const versionMatch: fc.Arbitrary<VersionMatch> = fc.oneof(
          fc.constant<VersionMatch>({ kind: 'last' }),
          fc.constant<VersionMatch>({ kind: 'first' }),
          fc.constant<VersionMatch>({ kind: 'all' }),
          fc
            .subarray([0, 1, 2, 3, 4, 6])
            .map((days): VersionMatch => ({ kind: 'exact', keys: days.map(modifiedAt) })),
          fc.constant<VersionMatch>({
            kind: 'union',
            parts: [{ kind: 'first' }, { kind: 'last' }],
          }),
          fc.integer({ min: 0, max: 4 }).map((day): VersionMatch => ({
            kind: 'union',
            parts: [{ kind: 'exact', keys: [modifiedAt(day)] }, { kind: 'last' }],
          })),
        )
        const query = fc.record({
          versions: versionMatch,
          types: fc.option(fc.subarray(types, { minLength: 1 }), { nil: undefined }),
          ids: fc.option(fc.subarray([0, 1, 2, 3, 4, 5, 7], { minLength: 1 }), {
            nil: undefined,
          }),
          addedAfter: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
          specVersions: fc.option(fc.subarray(['2.1', '2.0'], { minLength: 1 }), {
            nil: undefined,
          }),
          limit: fc.integer({ min: 1, max: 4 }),
        })
        const scenario = fc.record({
          groups: fc.array(fc.subarray(orgIds), { minLength: 3, maxLength: 3 }),
          rows: fc.array(row, { maxLength: 40 }),
          viewers: fc.array(viewer, { minLength: 1, maxLength: 3 }),
          queries: fc.array(query, { minLength: 1, maxLength: 4 }),
          defaultTlp: fc.constantFrom(...TLPS),
        })
        const idOf = (n: number) => objectId(types[n % types.length] ?? 'tool', n)
        let run = 0
        await fc.assert(
          fc.asyncProperty(scenario, async (s) => {
            run += 1
            // Each run gets its own collection and groups, so runs never see each other's rows.
            const collectionId = `${String(run).padStart(8, '0')}-0000-4000-8000-00000000c011`
            await store.createCollection(collection(collectionId, `prop-${run}`))
            const groupIds = s.groups.map((_, g) => groupUuid(run * 10 + g))
            for (const [g, members] of s.groups.entries()) {
              await store.createSharingGroup(
                group({ id: groupIds[g] ?? '', name: `g-${run}-${g}`, members }),
              )
            }
            const groupOf = (n: number) => groupIds[n] ?? groupUuid(run * 10 + n)
            await store.addObjects(
              s.rows.map((r, n) =>
                version(collectionId, idOf(r.object), modifiedAt(r.day), {
                  specVersion: r.specVersion,
                  publisherOrgId: r.publisher,
                  tlp: r.tlp,
                  distribution: {
                    scope: r.scope,
                    groups: r.groups.map(groupOf),
                    recipients: r.recipients,
                  },
                  originPeer: r.originPeer,
                  anonymous: r.anonymous,
                  json: JSON.stringify({ n }),
                }),
              ),
              T0,
            )
            const stored = (
              await store.queryObjects({ collectionId, limit: 1000, versions: { kind: 'all' } })
            ).items
            const [allGroups, orgs] = await Promise.all([
              store.listSharingGroups(),
              store.listOrganisations(),
            ])
            for (const v of s.viewers) {
              const defaultTlp = s.defaultTlp
              let filter: VisibilityFilter
              switch (v.kind) {
                case 'user':
                  filter = {
                    ...v,
                    onNode: (await store.getOrganisation(v.orgId)) !== undefined,
                    groupIds: await store.groupIdsOfOrganisation(v.orgId),
                    defaultTlp,
                  }
                  break
                case 'public':
                  filter = { ...v, defaultTlp }
                  break
                case 'peer':
                  filter = { ...v, defaultTlp }
                  break
              }
              const context: SharingContext = {
                groupMembers: new Map(allGroups.map((g) => [g.id, new Set(g.members)])),
                communityOrgIds: new Set(orgs.map((o) => o.id)),
                collectionPublic: filter.kind === 'public' && filter.collectionPublic,
              }
              const visible = (r: StoredObjectVersion) => visibleByRule(r, filter, context)
              const label = (rows: StoredObjectVersion[]) =>
                rows.map((r) => `${r.id.slice(-2)}@${r.versionKey.slice(8, 10)}#${r.json}`)

              for (const q of s.queries) {
                const spec = {
                  versions: q.versions,
                  ...(q.types ? { types: q.types } : {}),
                  ...(q.ids ? { ids: q.ids.map(idOf) } : {}),
                  ...(q.addedAfter === undefined ? {} : { addedAfterMicros: T0 + q.addedAfter }),
                  ...(q.specVersions ? { specVersions: q.specVersions } : {}),
                }
                const expected = expectedRows(stored, spec, visible)
                const got: StoredObjectVersion[] = []
                const gotJson: {
                  json: string
                  masked: boolean
                  id: string | undefined
                  tlp: string | null | undefined
                }[] = []
                let cursor: number | undefined
                for (let pages = 0; pages < 100; pages++) {
                  const page: ObjectQuery = {
                    collectionId,
                    limit: q.limit,
                    visibility: filter,
                    ...spec,
                    ...(cursor === undefined ? {} : { afterMicros: cursor }),
                  }
                  const [objects, json] = await Promise.all([
                    store.queryObjects(page),
                    store.queryObjectJson(page),
                  ])
                  got.push(...objects.items)
                  json.json.forEach((text, i) =>
                    gotJson.push({
                      json: text,
                      masked: json.masked[i] ?? false,
                      id: json.ids[i],
                      tlp: json.tlp[i],
                    }),
                  )
                  expect(json.more).toBe(objects.more)
                  expect(objects.items.length).toBe(objects.more ? q.limit : objects.items.length)
                  cursor = objects.items.at(-1)?.dateAddedMicros
                  if (!objects.more) break
                }
                expect(label(got), JSON.stringify({ filter, spec })).toEqual(label(expected))
                expect(gotJson).toEqual(
                  expected.map((r) => ({
                    json: r.json,
                    masked:
                      r.anonymous && !(filter.kind === 'user' && r.publisherOrgId === filter.orgId),
                    id: r.id,
                    tlp: r.tlp,
                  })),
                )
              }
              for (const n of [0, 1, 2, 3, 4, 5]) {
                const versions = await store.getObjectVersions(collectionId, idOf(n), filter)
                expect(label(versions)).toEqual(
                  label(stored.filter((r) => r.id === idOf(n) && visible(r))),
                )
              }
            }
          }),
          { numRuns: 25 },
        )
      }, 120_000)
    })
  })
}

/**
 * Rows as a schema version 2 node wrote them (before migration 3 added sharing), in SQL that
 * both dialects accept, for the upgrade tests of the adapters.
 */
export const version2Rows: readonly string[] = [
  `INSERT INTO organisations (id, name, identity_id, created_at)
     VALUES ('org-old', 'Old Org', 'identity--${orgUuid(77)}', '${CREATED}')`,
  `INSERT INTO users (id, org_id, name, role, password_hash, disabled, created_at)
     VALUES ('user-old', 'org-old', 'old', 'admin', NULL, FALSE, '${CREATED}')`,
  `INSERT INTO api_keys (id, user_id, prefix, key_hash, label, revoked, created_at, last_used_at)
     VALUES ('key-old', 'user-old', 'im_old001', 'sha256$00', 'old', FALSE, '${CREATED}', NULL)`,
  `INSERT INTO api_roots (id, path, title, description, max_content_length, created_at)
     VALUES ('root-old', 'old', 'Old', NULL, 1000, '${CREATED}')`,
  `INSERT INTO collections (id, api_root_id, alias, title, description, media_types,
       default_distribution, created_at, last_date_added_micros)
     VALUES ('col-old', 'root-old', 'old', 'Old', NULL, '[]',
       '{"scope":"community","groups":[],"recipients":[]}', '${CREATED}', 0)`,
]

/** Checks a store migrated from {@link version2Rows}: old rows read with the new defaults. */
export async function expectUpgradedFromVersion2(store: Store): Promise<void> {
  expect(await store.getCollection('col-old')).toMatchObject({ public: false, alias: 'old' })
  expect(await store.getApiKeyByPrefix('im_old001')).toMatchObject({
    id: 'key-old',
    peerId: null,
  })
  expect(await store.getOrganisationSharing('org-old')).toEqual({
    defaultDistribution: null,
    anonymousByDefault: false,
    ceilings: { roles: {}, users: {} },
  })
  await store.createSharingGroup({
    id: groupUuid(1),
    name: 'old-friends',
    ownerOrgId: 'org-old',
    description: '',
    members: ['org-old'],
    createdAt: CREATED,
  })
  expect(await store.groupIdsOfOrganisation('org-old')).toEqual([groupUuid(1)])
  expect(await store.updateCollection('col-old', { public: true })).toBe(true)
  expect((await store.getCollection('col-old'))?.public).toBe(true)
}
