/**
 * Random sharing worlds for the issue 5 property tests (`test/e2e/sharing-property-*.test.ts`):
 * organisations, users of random roles, sharing groups with random members, a peer key, and
 * object versions with random TLP markings (TLP 1.0 and 2.0, several at once, or none),
 * distributions, recipients, anonymous flags and origins, stored through the store or
 * published by TAXII POST (distribution in the POST parameters or in `x_intelmesh_sharing`,
 * by the publisher's user or a peer's key). The expected view of every viewer is computed from the pure rule (`decideVisibility`) over all
 * stored versions and compared with what the TAXII server answers over a real socket.
 */
import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateApiKey } from '../../src/accounts/api-key.js'
import { createAuthenticator } from '../../src/accounts/authenticator.js'
import { decideVisibility, sharedVersionOf, type Viewer } from '../../src/sharing/policy.js'
import { sharingSettings } from '../../src/sharing/viewer.js'
import type {
  Collection,
  Distribution,
  DistributionScope,
  NewObjectVersion,
  Role,
  Store,
  StoredObjectVersion,
  TlpLevel,
} from '../../src/store/store.js'
import { versionKeyOf } from '../../src/store/timestamps.js'
import { createTaxiiApp } from '../../src/taxii/server/create-taxii-app.js'
import { serveApp, type ServedApp } from './serve.js'

export const TAXII = 'application/taxii+json;version=2.1'

/**
 * TLP marking definition ids and the level each stands for: TLP 1.0 as fixed by STIX 2.1
 * section 7.2.1.4 (WHITE reads as CLEAR), TLP 2.0 as published by OASIS (tlp-2.0-objects.json).
 */
export const TLP_MARKINGS: ReadonlyArray<readonly [string, TlpLevel]> = [
  ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'clear'],
  ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green'],
  ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'amber'],
  ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red'],
  ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 'clear'],
  ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 'green'],
  ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 'amber'],
  ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 'amber+strict'],
  ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'red'],
]

/** A marking definition that is not a TLP (e.g. a statement): it must not count. */
export const STATEMENT_MARKING = 'marking-definition--0b4ef1d4-5a47-4c7e-9c3e-2f6f3a8f8d11'

const RANK: Record<TlpLevel, number> = {
  clear: 0,
  green: 1,
  amber: 2,
  'amber+strict': 3,
  red: 4,
}

/** The TLP the markings declare (the most restrictive), or null when none is a TLP. */
export function tlpOfMarkings(markings: readonly string[]): TlpLevel | null {
  let best: TlpLevel | null = null
  for (const ref of markings) {
    const level = TLP_MARKINGS.find(([id]) => id === ref)?.[1]
    if (level !== undefined && (best === null || RANK[level] > RANK[best])) best = level
  }
  return best
}

// ---------------------------------------------------------------------------------------------
// The world as fast-check draws it (indices only; ids are made when it is seeded)

export type Publisher =
  | { kind: 'org'; org: number }
  | { kind: 'node' }
  /** Received from peer `peer` (0 or 1), published by the peer's organisation or a remote one. */
  | { kind: 'peer'; peer: number; remoteOrg: boolean }

export interface ObjectSpec {
  kind: 'indicator' | 'malware' | 'ipv4-addr'
  publisher: Publisher
}

export interface VersionSpec {
  object: number
  /** Minutes after `created`: the version (`modified`); SCOs have only the one version. */
  minute: number
  markings: string[]
  scope: DistributionScope
  /** Group indices; `groups.length` stands for a group that does not exist. */
  groups: number[]
  /** Organisation indices (the peer's organisation is the last); -1 a remote organisation. */
  recipients: number[]
  anonymous: boolean
  withCreator: boolean
  /**
   * How it is stored: through the store, or by a TAXII POST of its publisher (when allowed to
   * write and the request is one the node accepts) naming the distribution in the POST's query
   * parameters, or in the object's `x_intelmesh_sharing` (then with other, overridden
   * parameters).
   */
  channel: 'store' | 'params' | 'object'
}

export type VersionChoice = 'first' | 'last' | 'all' | 'first,last' | 'exact' | 'default'

export interface QuerySpec {
  endpoint: 'objects' | 'manifest'
  version: VersionChoice
  /** A version to pick for `exact`, as an index into the stored versions. */
  exactPick: number
  types: Array<ObjectSpec['kind']> | null
  /** Object indices for `match[id]`; `objects.length` stands for an id never stored. */
  ids: number[] | null
  /** `added_after` = the date_added of the version at this index, or none. */
  addedAfterPick: number | null
  limit: number
}

export interface WorldSpec {
  /** The role of each organisation's user; organisation 0 runs the node. */
  roles: Role[]
  groups: Array<{ owner: number; members: number[] }>
  defaultTlp: TlpLevel
  collectionPublic: boolean
  objects: ObjectSpec[]
  versions: VersionSpec[]
  queries: QuerySpec[]
  /** A membership to flip between two reads: (group, organisation). */
  toggle: { group: number; org: number } | null
}

const ROLES: Role[] = ['admin', 'analyst', 'reader']
const SCOPES: DistributionScope[] = ['organisation', 'groups', 'community', 'federation']
const TLP_LEVEL_LIST: TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red']
const KINDS: Array<ObjectSpec['kind']> = ['indicator', 'malware', 'ipv4-addr']
const ALL_MARKINGS = [...TLP_MARKINGS.map(([id]) => id), STATEMENT_MARKING]
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

export interface WorldSize {
  minOrgs: number
  maxOrgs: number
  minVersions: number
  maxVersions: number
}

/** Worlds of 3–6 organisations, 0–3 groups and 20–60 versions unless told otherwise. */
export function worldArbitrary(
  size: WorldSize = { minOrgs: 3, maxOrgs: 6, minVersions: 20, maxVersions: 60 },
): fc.Arbitrary<WorldSpec> {
  return fc
    .record({
      orgs: fc.integer({ min: size.minOrgs, max: size.maxOrgs }),
      groupCount: fc.integer({ min: 0, max: 3 }),
      objectCount: fc.integer({ min: 6, max: 24 }),
    })
    .chain(({ orgs, groupCount, objectCount }) => {
      // The peer's organisation is index `orgs`: a recipient like any other.
      const orgIndices = range(orgs + 1)
      const publisher: fc.Arbitrary<Publisher> = fc.oneof(
        { weight: 6, arbitrary: fc.nat(orgs - 1).map((org) => ({ kind: 'org' as const, org })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'node' as const }) },
        {
          weight: 2,
          arbitrary: fc
            .record({ peer: fc.nat(1), remoteOrg: fc.boolean() })
            .map((p) => ({ kind: 'peer' as const, ...p })),
        },
      )
      const version: fc.Arbitrary<VersionSpec> = fc.record({
        object: fc.nat(objectCount - 1),
        minute: fc.nat(40),
        markings: fc.subarray(ALL_MARKINGS, { maxLength: 3 }),
        scope: fc.constantFrom(...SCOPES),
        groups: fc.subarray(range(groupCount + 1), { maxLength: Math.min(2, groupCount + 1) }),
        recipients: fc.subarray([-1, ...orgIndices], { maxLength: 2 }),
        anonymous: fc.boolean(),
        withCreator: fc.oneof(
          { weight: 4, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        channel: fc.constantFrom('store' as const, 'params' as const, 'object' as const),
      })
      const query: fc.Arbitrary<QuerySpec> = fc.record({
        endpoint: fc.constantFrom('objects' as const, 'manifest' as const),
        version: fc.constantFrom<VersionChoice>(
          'default',
          'first',
          'last',
          'all',
          'first,last',
          'exact',
        ),
        exactPick: fc.nat(59),
        types: fc.option(fc.subarray(KINDS, { minLength: 1, maxLength: 2 }), { nil: null }),
        ids: fc.option(fc.subarray(range(objectCount + 1), { minLength: 1, maxLength: 4 }), {
          nil: null,
        }),
        addedAfterPick: fc.option(fc.nat(59), { nil: null, freq: 3 }),
        limit: fc.integer({ min: 1, max: 7 }),
      })
      return fc.record({
        roles: fc.array(fc.constantFrom(...ROLES), { minLength: orgs, maxLength: orgs }),
        groups: fc.array(
          fc.record({
            owner: fc.nat(orgs - 1),
            members: fc.subarray(orgIndices),
          }),
          { minLength: groupCount, maxLength: groupCount },
        ),
        defaultTlp: fc.constantFrom(...TLP_LEVEL_LIST),
        collectionPublic: fc.boolean(),
        objects: fc.array(fc.record({ kind: fc.constantFrom(...KINDS), publisher }), {
          minLength: objectCount,
          maxLength: objectCount,
        }),
        versions: fc.array(version, { minLength: size.minVersions, maxLength: size.maxVersions }),
        queries: fc.array(query, { minLength: 3, maxLength: 5 }),
        toggle:
          groupCount === 0
            ? fc.constant(null)
            : fc.option(fc.record({ group: fc.nat(groupCount - 1), org: fc.nat(orgs - 1) }), {
                nil: null,
                freq: 4,
              }),
      })
    })
}

// ---------------------------------------------------------------------------------------------
// Seeding

export interface ViewerCase {
  label: string
  viewer: Viewer
  /** The `Authorization` header, or undefined for the public. */
  authorization: string | undefined
}

/** One stored version as the store reported it on adding (its `dateAdded` included). */
export type Row = StoredObjectVersion

export interface World {
  spec: WorldSpec
  /** The path segment of the API root holding the collection. */
  rootPath: string
  collection: Collection
  orgIds: string[]
  identityOf: Map<string, string>
  nodeOrgId: string
  peerIds: string[]
  peerOrgId: string
  groupIds: string[]
  /** Current members of each group (kept in step with the store by {@link setMembership}). */
  groupMembers: Map<string, Set<string>>
  defaultTlp: TlpLevel
  allianceIdentityId: string
  /** Every stored version, in `dateAdded` order. */
  rows: Row[]
  /** Every stored object id, in the order of `spec.objects` (some may have no version). */
  objectIds: string[]
  /** An id never stored in the collection. */
  absentId: string
  /** How many versions were published by TAXII POST (the rest through the store). */
  posted: number
  viewers: ViewerCase[]
}

async function makeAccount(store: Store, orgId: string, role: Role, peerId: string | null) {
  const userId = randomUUID()
  const now = new Date().toISOString()
  await store.createUser({
    id: userId,
    orgId,
    name: `u-${userId}`,
    role,
    passwordHash: null,
    disabled: false,
    createdAt: now,
  })
  const key = generateApiKey()
  await store.createApiKey({
    id: randomUUID(),
    userId,
    prefix: key.prefix,
    keyHash: key.keyHash,
    label: peerId === null ? 'property test' : 'property test peer',
    revoked: false,
    createdAt: now,
    lastUsedAt: null,
    peerId,
  })
  return { userId, orgId, key: key.key }
}

function objectIdOf(kind: ObjectSpec['kind'], uuid: string): string {
  return `${kind}--${uuid}`
}

const CREATED_MS = Date.parse('2026-01-01T00:00:00.000Z')

function objectJson(
  kind: ObjectSpec['kind'],
  id: string,
  minute: number,
  markings: readonly string[],
  creator: string | undefined,
): Record<string, unknown> {
  const created = new Date(CREATED_MS).toISOString()
  const modified = new Date(CREATED_MS + minute * 60_000 + 1).toISOString()
  const marked = markings.length > 0 ? { object_marking_refs: [...markings] } : {}
  const by = creator === undefined ? {} : { created_by_ref: creator }
  switch (kind) {
    case 'indicator':
      return {
        type: 'indicator',
        spec_version: '2.1',
        id,
        ...by,
        created,
        modified,
        name: `Indicator ${minute}`,
        indicator_types: ['malicious-activity'],
        pattern: `[ipv4-addr:value = '198.51.100.${minute}']`,
        pattern_type: 'stix',
        valid_from: created,
        ...marked,
      }
    case 'malware':
      return {
        type: 'malware',
        spec_version: '2.1',
        id,
        ...by,
        created,
        modified,
        name: `Loader ${minute}`,
        is_family: true,
        ...marked,
      }
    case 'ipv4-addr':
      // An SCO (STIX 2.1 section 6): no created_by_ref, no created/modified, one version only.
      return { type: 'ipv4-addr', spec_version: '2.1', id, value: '203.0.113.9', ...marked }
  }
}

const SCOPE_ORDER: DistributionScope[] = ['organisation', 'groups', 'community', 'federation']

/**
 * The audience a version written by a peer's key gets on this node, restated from the table in
 * `src/sharing/inbound.ts` (issue 6, "Inbound"): CLEAR and GREEN go to the federation, AMBER to
 * the community, AMBER+STRICT and RED to this node's organisation only (as the named
 * recipient); the scope the peer asks for may narrow that (`groups` name the other node's
 * groups, so they narrow to `organisation`), never widen it. Never anonymous.
 */
function inboundAudience(tlp: TlpLevel, nodeOrgId: string, asked: DistributionScope): Distribution {
  let scope: DistributionScope =
    tlp === 'red' || tlp === 'amber+strict'
      ? 'organisation'
      : tlp === 'amber'
        ? 'community'
        : 'federation'
  if (SCOPE_ORDER.indexOf(asked) < SCOPE_ORDER.indexOf(scope)) {
    scope = asked === 'groups' ? 'organisation' : asked
  }
  return { scope, groups: [], recipients: scope === 'organisation' ? [nodeOrgId] : [] }
}

/** What decides whether the node accepts a publishing request. */
interface PublishingFacts {
  groupMembers: ReadonlyMap<string, ReadonlySet<string>>
  groupOwners: ReadonlyMap<string, string>
  orgIds: ReadonlySet<string>
}

/** A TAXII POST that asks for a version's distribution (docs/sharing.md). */
interface Publication {
  /** The query string of the POST (with its leading `?`, or empty). */
  query: string
  /** Spread into the object: `x_intelmesh_sharing`, or nothing. */
  objectProperty: Record<string, unknown>
  /** The distribution the node must store. */
  distribution: Distribution
}

/**
 * How to publish `row` through TAXII so that the node stores its sharing facts, or undefined
 * when the node would (rightly) refuse that request: a group the publisher neither owns nor
 * belongs to or that does not exist, a recipient not on the node, TLP:RED without another
 * organisation as recipient, groups beside another scope. Every fact is named explicitly, so
 * no default applies; with `object`, the POST parameters name other facts, which the object's
 * property overrides.
 */
function taxiiPublication(
  row: NewObjectVersion,
  channel: 'params' | 'object',
  effectiveTlp: TlpLevel,
  node: PublishingFacts,
): Publication | undefined {
  const publisher = row.publisherOrgId
  if (publisher === null) return undefined
  const { scope } = row.distribution
  const groups = scope === 'groups' ? [...new Set(row.distribution.groups)] : []
  if (scope === 'groups' && groups.length === 0) return undefined
  for (const group of groups) {
    const members = node.groupMembers.get(group)
    if (members === undefined) return undefined
    if (!members.has(publisher) && node.groupOwners.get(group) !== publisher) return undefined
  }
  const recipients = [...new Set(row.distribution.recipients)]
  if (recipients.some((r) => !node.orgIds.has(r))) return undefined
  if (effectiveTlp === 'red' && !recipients.some((r) => r !== publisher)) return undefined
  const distribution: Distribution = { scope, groups, recipients }
  const sharing: Record<string, unknown> = {
    distribution: scope,
    recipients,
    anonymous: row.anonymous,
  }
  if (scope === 'groups') sharing['groups'] = groups
  if (channel === 'object') {
    const other = scope === 'community' ? 'organisation' : 'community'
    const query = `?distribution=${other}&anonymous=${String(!row.anonymous)}`
    return { query, objectProperty: { x_intelmesh_sharing: sharing }, distribution }
  }
  const params = new URLSearchParams()
  if (scope === 'groups') params.set('groups', groups.join(','))
  else params.set('distribution', scope)
  if (recipients.length > 0) params.set('recipients', recipients.join(','))
  params.set('anonymous', String(row.anonymous))
  return { query: `?${params.toString()}`, objectProperty: {}, distribution }
}

/**
 * Creates the world's organisations, users, keys, groups, collection (in the caller's API
 * root), settings and object versions in `store`. Every name is unique, so many worlds
 * can share one store.
 */
export async function seedWorld(
  store: Store,
  spec: WorldSpec,
  root: { id: string; path: string },
  baseUrl?: string,
): Promise<World> {
  const now = new Date().toISOString()
  const orgCount = spec.roles.length
  const orgIds: string[] = []
  const identityOf = new Map<string, string>()
  for (let i = 0; i <= orgCount; i++) {
    const id = randomUUID()
    const identityId = `identity--${randomUUID()}`
    await store.createOrganisation({ id, name: `org-${id}`, identityId, createdAt: now })
    orgIds.push(id)
    identityOf.set(id, identityId)
  }
  const org = (i: number): string => orgIds[i] ?? '(no such organisation)'
  const nodeOrgId = org(0)
  const peerOrgId = org(orgCount)
  const peerIds = [`peer-${randomUUID()}`, `peer-${randomUUID()}`]
  const remoteOrgId = randomUUID()
  const remoteIdentity = `identity--${randomUUID()}`

  const groupIds: string[] = []
  const groupMembers = new Map<string, Set<string>>()
  for (const group of spec.groups) {
    const id = randomUUID()
    const members = group.members.map(org)
    await store.createSharingGroup({
      id,
      name: `group-${id}`,
      ownerOrgId: org(group.owner),
      description: 'property test group',
      members,
      createdAt: now,
    })
    groupIds.push(id)
    groupMembers.set(id, new Set(members))
  }
  const missingGroupId = randomUUID()

  const collection: Collection = {
    id: randomUUID(),
    apiRootId: root.id,
    alias: `sp-${randomUUID()}`,
    title: 'Sharing property collection',
    description: null,
    mediaTypes: ['application/stix+json;version=2.1'],
    defaultDistribution: { scope: 'community', groups: [], recipients: [] },
    public: spec.collectionPublic,
    createdAt: now,
  }
  await store.createCollection(collection)
  for (const orgId of orgIds) {
    await store.setCollectionGrant({
      collectionId: collection.id,
      subjectKind: 'org',
      subjectId: orgId,
      canRead: true,
      canWrite: true,
    })
  }
  const allianceIdentityId = `identity--${randomUUID()}`
  await store.setSetting(sharingSettings.nodeOrgId, nodeOrgId)
  await store.setSetting(sharingSettings.defaultTlp, spec.defaultTlp)
  await store.setSetting(sharingSettings.allianceIdentityId, allianceIdentityId)

  const viewers: ViewerCase[] = []
  /** Who may POST for an organisation (not readers: they cannot write). */
  const writers = new Map<string, string>()
  for (let i = 0; i < orgCount; i++) {
    const role = spec.roles[i] ?? 'reader'
    const account = await makeAccount(store, org(i), role, null)
    if (role !== 'reader') writers.set(org(i), `Bearer ${account.key}`)
    viewers.push({
      label: `user of org ${i} (${role}${i === 0 ? ', node organisation' : ''})`,
      viewer: { kind: 'user', orgId: org(i), role, isNodeAdmin: i === 0 && role === 'admin' },
      authorization: `Bearer ${account.key}`,
    })
  }
  const nodeAdmin = await makeAccount(store, nodeOrgId, 'admin', null)
  writers.set(nodeOrgId, `Bearer ${nodeAdmin.key}`)
  viewers.push({
    label: 'node admin',
    viewer: { kind: 'user', orgId: nodeOrgId, role: 'admin', isNodeAdmin: true },
    authorization: `Bearer ${nodeAdmin.key}`,
  })
  const peerPeerId = peerIds[0] ?? ''
  const peer = await makeAccount(store, peerOrgId, 'analyst', peerPeerId)
  viewers.push({
    label: 'peer 0 (key of a peer node)',
    viewer: { kind: 'peer', peerId: peerPeerId, orgId: peerOrgId },
    authorization: `Bearer ${peer.key}`,
  })
  viewers.push({ label: 'the public', viewer: { kind: 'public' }, authorization: undefined })

  const publishing: PublishingFacts = {
    groupMembers,
    groupOwners: new Map(spec.groups.map((g, i) => [groupIds[i] ?? '', org(g.owner)])),
    orgIds: new Set(orgIds),
  }
  const objectIds = spec.objects.map((o) => objectIdOf(o.kind, randomUUID()))
  const seen = new Set<string>()
  let posted = 0
  const planned: NewObjectVersion[] = []
  // Consecutive versions stored through the store go in one addObjects call.
  let batch: NewObjectVersion[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const results = await store.addObjects(batch, Date.now() * 1000)
    batch.forEach((version, i) => {
      if (results[i]?.outcome !== 'added') {
        throw new Error(`seeding: version ${version.id} ${version.version} was not added`)
      }
    })
    batch = []
  }
  for (const v of spec.versions) {
    const object = spec.objects[v.object]
    const id = objectIds[v.object]
    if (object === undefined || id === undefined) continue
    const minute = object.kind === 'ipv4-addr' ? 0 : v.minute
    if (seen.has(`${id} ${minute}`)) continue
    seen.add(`${id} ${minute}`)
    let publisherOrgId: string | null
    let originPeer: string | null = null
    let creator: string | undefined
    let writer: string | undefined
    switch (object.publisher.kind) {
      case 'org':
        publisherOrgId = org(object.publisher.org)
        creator = identityOf.get(publisherOrgId)
        writer = writers.get(publisherOrgId)
        break
      case 'node':
        publisherOrgId = null
        creator = identityOf.get(nodeOrgId)
        break
      case 'peer':
        originPeer = peerIds[object.publisher.peer] ?? null
        publisherOrgId = object.publisher.remoteOrg ? remoteOrgId : peerOrgId
        creator = object.publisher.remoteOrg ? remoteIdentity : identityOf.get(peerOrgId)
        if (object.publisher.peer === 0 && !object.publisher.remoteOrg) {
          writer = `Bearer ${peer.key}`
        }
        break
    }
    const json = objectJson(
      object.kind,
      id,
      minute,
      v.markings,
      v.withCreator && object.kind !== 'ipv4-addr' ? creator : undefined,
    )
    const version = object.kind === 'ipv4-addr' ? '' : String(json['modified'])
    const tlp = tlpOfMarkings(v.markings)
    const row: NewObjectVersion = {
      collectionId: collection.id,
      id,
      type: object.kind,
      specVersion: '2.1',
      version,
      versionKey: versionKeyOf(version),
      json: JSON.stringify(json),
      publisherOrgId,
      publisherActor: 'property-test',
      markingRefs: [...v.markings],
      tlp,
      distribution: {
        scope: v.scope,
        groups: v.groups.map((g) => groupIds[g] ?? missingGroupId),
        recipients: v.recipients.map((r) => (r < 0 ? remoteOrgId : org(r))),
      },
      anonymous: v.anonymous,
      originPeer,
      revoked: false,
    }
    planned.push(row)
    const post =
      baseUrl !== undefined && writer !== undefined && v.channel !== 'store'
        ? taxiiPublication(row, v.channel, tlp ?? spec.defaultTlp, publishing)
        : undefined
    if (post === undefined || writer === undefined || baseUrl === undefined) {
      batch.push(row)
      continue
    }
    await flush()
    posted++
    // What the node must store for this request (issue 5, "How a publisher chooses"; a peer's
    // write gets the inbound audience, its asked scope only narrowing it).
    if (originPeer === null) row.distribution = post.distribution
    else {
      row.distribution = inboundAudience(tlp ?? spec.defaultTlp, nodeOrgId, row.distribution.scope)
      row.anonymous = false
    }
    const body = JSON.stringify({ objects: [{ ...json, ...post.objectProperty }] })
    const path = `/${root.path}/collections/${collection.id}/objects/${post.query}`
    const answer = await taxiiPost(baseUrl, path, writer, body)
    const status = answer.status === 202 ? (JSON.parse(answer.text) as Record<string, unknown>) : {}
    if (status['success_count'] !== 1) {
      throw new Error(
        `seeding: POST ${path} of ${id} (${v.channel}) answered ${answer.status} ${answer.text.slice(0, 400)}`,
      )
    }
  }
  await flush()
  const rows: Row[] = []
  const problems: string[] = []
  for (const id of new Set(planned.map((p) => p.id))) {
    const stored = await store.getObjectVersions(collection.id, id)
    for (const want of planned.filter((p) => p.id === id)) {
      const got = stored.find((s) => s.version === want.version)
      if (!got) {
        problems.push(`${id}@${want.version} is not stored`)
        continue
      }
      const facts = (r: NewObjectVersion) => ({
        publisherOrgId: r.publisherOrgId,
        tlp: r.tlp,
        scope: r.distribution.scope,
        groups: [...new Set(r.distribution.groups)].sort(),
        // Naming one's own organisation is allowed and changes nothing (docs/sharing.md).
        recipients: [...new Set(r.distribution.recipients)]
          .filter((o) => o !== r.publisherOrgId)
          .sort(),
        anonymous: r.anonymous,
        originPeer: r.originPeer,
      })
      if (!isDeepStrictEqual(facts(got), facts(want))) {
        problems.push(
          `${id}@${want.version}: stored ${JSON.stringify(facts(got))}, asked ${JSON.stringify(facts(want))}`,
        )
      }
      if (got.json.includes('x_intelmesh_sharing')) {
        problems.push(`${id}@${want.version}: x_intelmesh_sharing was stored`)
      }
      rows.push({ ...want, dateAdded: got.dateAdded, dateAddedMicros: got.dateAddedMicros })
    }
  }
  if (problems.length > 0) {
    throw new Error(`seeding: the node stored other sharing facts:\n  ${problems.join('\n  ')}`)
  }
  rows.sort((a, b) => a.dateAddedMicros - b.dateAddedMicros)
  return {
    spec,
    rootPath: root.path,
    collection,
    orgIds,
    identityOf,
    nodeOrgId,
    peerIds,
    peerOrgId,
    groupIds,
    groupMembers,
    defaultTlp: spec.defaultTlp,
    allianceIdentityId,
    rows,
    objectIds,
    absentId: objectIdOf('indicator', randomUUID()),
    posted,
    viewers,
  }
}

/** Adds or removes a group member in the store and in the world's model. */
export async function setMembership(
  store: Store,
  world: World,
  groupId: string,
  orgId: string,
  member: boolean,
): Promise<void> {
  const members = world.groupMembers.get(groupId)
  if (!members) throw new Error(`no group ${groupId} in this world`)
  if (member) {
    await store.addSharingGroupMember(groupId, orgId)
    members.add(orgId)
  } else {
    await store.removeSharingGroupMember(groupId, orgId)
    members.delete(orgId)
  }
}

// ---------------------------------------------------------------------------------------------
// The model: what the rule allows

/** The versions `decideVisibility` lets `viewer` see, in `dateAdded` order. */
export function visibleRows(world: World, viewer: Viewer): Row[] {
  const context = {
    groupMembers: world.groupMembers,
    communityOrgIds: new Set(world.orgIds),
    collectionPublic: world.collection.public,
  }
  return world.rows.filter(
    (row) => decideVisibility(viewer, sharedVersionOf(row, world.defaultTlp), context).visible,
  )
}

/** True when the viewer must get the version anonymised (issue 5, anonymous publishing). */
export function isMasked(row: Row, viewer: Viewer): boolean {
  return row.anonymous && !(viewer.kind === 'user' && viewer.orgId === row.publisherOrgId)
}

/** The object as the viewer must receive it: `created_by_ref` → the alliance when masked. */
export function expectedView(world: World, row: Row, viewer: Viewer): Record<string, unknown> {
  const object = JSON.parse(row.json) as Record<string, unknown>
  if (isMasked(row, viewer) && 'created_by_ref' in object) {
    object['created_by_ref'] = world.allianceIdentityId
  }
  return object
}

export interface Selection {
  /** `match[version]` as sent, or undefined for the default (`last`). */
  version?: string
  types?: string[]
  ids?: string[]
  /** `added_after` as sent and as microseconds. */
  addedAfter?: { text: string; micros: number }
}

/**
 * The versions a TAXII read selects from `rows` (TAXII 2.1 section 3.4): `first`/`last` per
 * object among the given (visible) rows by version, then the other filters, by `date_added`.
 */
export function select(rows: readonly Row[], selection: Selection): Row[] {
  const byId = new Map<string, Row[]>()
  for (const row of rows) {
    const list = byId.get(row.id) ?? []
    list.push(row)
    byId.set(row.id, list)
  }
  const parts = (selection.version ?? 'last').split(',')
  const chosen = new Set<Row>()
  for (const list of byId.values()) {
    const byVersion = [...list].sort((a, b) => (a.versionKey < b.versionKey ? -1 : 1))
    for (const part of parts) {
      if (part === 'all') byVersion.forEach((row) => chosen.add(row))
      else if (part === 'first' && byVersion[0]) chosen.add(byVersion[0])
      else if (part === 'last' && byVersion.at(-1)) chosen.add(byVersion.at(-1) as Row)
      else {
        const key = versionKeyOf(part)
        byVersion.filter((row) => row.versionKey === key).forEach((row) => chosen.add(row))
      }
    }
  }
  return rows.filter(
    (row) =>
      chosen.has(row) &&
      (selection.types === undefined || selection.types.includes(row.type)) &&
      (selection.ids === undefined || selection.ids.includes(row.id)) &&
      (selection.addedAfter === undefined || row.dateAddedMicros > selection.addedAfter.micros),
  )
}

/** The selection a drawn query stands for in this world. */
export function selectionOf(world: World, query: QuerySpec): Selection {
  const selection: Selection = {}
  if (query.version === 'exact') {
    const row = world.rows[query.exactPick % Math.max(1, world.rows.length)]
    // An SCO's version is empty, which match[version] cannot name: ask for `all` then.
    selection.version = row && row.version !== '' ? row.version : 'all'
  } else if (query.version !== 'default') {
    selection.version = query.version
  }
  if (query.types) selection.types = [...query.types]
  if (query.ids) selection.ids = query.ids.map((i) => world.objectIds[i] ?? world.absentId)
  if (query.addedAfterPick !== null) {
    const row = world.rows[query.addedAfterPick % Math.max(1, world.rows.length)]
    if (row) selection.addedAfter = { text: row.dateAdded, micros: row.dateAddedMicros }
  }
  return selection
}

// ---------------------------------------------------------------------------------------------
// TAXII over a real socket

export interface Answer {
  status: number
  headers: Headers
  text: string
}

export async function taxiiGet(
  baseUrl: string,
  path: string,
  authorization: string | undefined,
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: TAXII }
  if (authorization !== undefined) headers['Authorization'] = authorization
  const response = await fetch(`${baseUrl}${path}`, { headers })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/** A request with any method and no body. */
export async function taxiiRequest(
  baseUrl: string,
  method: string,
  path: string,
  authorization: string | undefined,
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: TAXII }
  if (authorization !== undefined) headers['Authorization'] = authorization
  const response = await fetch(`${baseUrl}${path}`, { method, headers })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

export async function taxiiPost(
  baseUrl: string,
  path: string,
  authorization: string,
  body: string,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: authorization },
    body,
  })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

function queryString(selection: Selection, limit?: number, next?: string): string {
  const params = new URLSearchParams()
  if (selection.version !== undefined) params.set('match[version]', selection.version)
  if (selection.types) params.set('match[type]', selection.types.join(','))
  if (selection.ids) params.set('match[id]', selection.ids.join(','))
  if (selection.addedAfter) params.set('added_after', selection.addedAfter.text)
  if (limit !== undefined) params.set('limit', String(limit))
  if (next !== undefined) params.set('next', next)
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

/** Collects mismatches between the server and the model, for one failure message. */
export class Mismatches {
  readonly lines: string[] = []
  /** `log` collects what the server logs (unexpected errors), shown with the mismatches. */
  constructor(private readonly log: string[] = []) {}
  add(line: string): void {
    this.lines.push(line)
  }
  check(ok: boolean, line: () => string): void {
    if (!ok) this.lines.push(line())
  }
  throwIfAny(world: World): void {
    if (this.lines.length === 0) return
    const shown = this.lines.slice(0, 12).join('\n  ')
    const more = this.lines.length > 12 ? `\n  ... and ${this.lines.length - 12} more` : ''
    const logged = this.log.length === 0 ? '' : `\nserver log:\n${this.log.slice(0, 5).join('\n')}`
    throw new Error(`sharing rule mismatches:\n  ${shown}${more}\n${describeWorld(world)}${logged}`)
  }
}

function short(row: Row): string {
  return `${row.id.slice(0, 20)}@${row.version || '(sco)'}`
}

/** A summary of the world for failure messages (ids shortened). */
export function describeWorld(world: World): string {
  const orgName = (id: string | null): string => {
    if (id === null) return 'node'
    const i = world.orgIds.indexOf(id)
    if (i === world.orgIds.length - 1) return 'peerOrg'
    return i >= 0 ? `org${i}` : 'remoteOrg'
  }
  const groupName = (id: string): string => {
    const i = world.groupIds.indexOf(id)
    return i >= 0 ? `g${i}` : 'g?'
  }
  const groups = world.groupIds.map(
    (id, i) => `g${i}={${[...(world.groupMembers.get(id) ?? [])].map(orgName).join(',')}}`,
  )
  const rows = world.rows.map(
    (row) =>
      `${short(row)} pub=${orgName(row.publisherOrgId)} tlp=${row.tlp ?? `null→${world.defaultTlp}`} ${row.distribution.scope}[${row.distribution.groups.map(groupName).join(',')}] rcpt=[${row.distribution.recipients.map(orgName).join(',')}]${row.anonymous ? ' anon' : ''}${row.originPeer === null ? '' : ` from peer${world.peerIds.indexOf(row.originPeer)}`}`,
  )
  return [
    `world: ${world.orgIds.length - 1} orgs (+peerOrg), public=${world.collection.public}, groups ${groups.join(' ') || 'none'}`,
    ...rows.map((line) => `  ${line}`),
  ].join('\n')
}

/** What one list read (objects or manifest, paged) gave back. */
interface PagedItem {
  id: string
  version: string
  dateAdded?: string
  object?: Record<string, unknown>
}

/**
 * Pages through `objects/` or `manifest/` with `limit` and `next` to the end and compares every
 * page with the expected slice: the items, `more`, and the `X-TAXII-Date-Added-First/Last`
 * headers (TAXII 2.1 section 3.2: the date_added of the first and last item of the page).
 */
export async function checkPagedRead(
  baseUrl: string,
  world: World,
  viewerCase: ViewerCase,
  endpoint: 'objects' | 'manifest',
  selection: Selection,
  limit: number | undefined,
  out: Mismatches,
): Promise<void> {
  const expected = select(visibleRows(world, viewerCase.viewer), selection)
  const base = `/${world.rootPath}/collections/${world.collection.id}/${endpoint}/`
  const what = `${viewerCase.label}: GET ${endpoint}${queryString(selection, limit)}`
  let next: string | undefined
  let offset = 0
  for (let page = 0; page < 10_000; page++) {
    const answer = await taxiiGet(
      baseUrl,
      base + queryString(selection, limit, next),
      viewerCase.authorization,
    )
    if (answer.status !== 200) {
      out.add(`${what} page ${page}: status ${answer.status} ${answer.text.slice(0, 200)}`)
      return
    }
    const body = JSON.parse(answer.text) as {
      more?: boolean
      next?: string
      objects?: Array<Record<string, unknown>>
    }
    const size = limit ?? expected.length
    const want = expected.slice(offset, offset + Math.max(size, 1))
    const got: PagedItem[] = (body.objects ?? []).map((item) =>
      endpoint === 'manifest'
        ? {
            id: String(item['id']),
            version: String(item['version']),
            dateAdded: String(item['date_added']),
          }
        : {
            id: String(item['id']),
            version: typeof item['modified'] === 'string' ? item['modified'] : '',
            object: item,
          },
    )
    const wantText = want.map(short).join(' ')
    const gotText = got.map((g) => `${g.id.slice(0, 20)}@${g.version || '(sco)'}`).join(' ')
    if (wantText !== gotText) {
      out.add(`${what} page ${page}: expected [${wantText}] got [${gotText}]`)
      return
    }
    want.forEach((row, i) => {
      const item = got[i]
      if (!item) return
      if (endpoint === 'manifest') {
        out.check(
          item.dateAdded === row.dateAdded,
          () => `${what}: ${short(row)} date_added ${item.dateAdded ?? ''} != ${row.dateAdded}`,
        )
      } else {
        const view = expectedView(world, row, viewerCase.viewer)
        out.check(
          isDeepStrictEqual(item.object, view),
          () =>
            `${what}: ${short(row)} content differs${isMasked(row, viewerCase.viewer) ? ' (should be anonymised)' : ''}: got created_by_ref ${String(item.object?.['created_by_ref'])}, want ${String(view['created_by_ref'])}`,
        )
      }
    })
    const first = want[0]
    const last = want.at(-1)
    const headerFirst = answer.headers.get('X-TAXII-Date-Added-First')
    const headerLast = answer.headers.get('X-TAXII-Date-Added-Last')
    out.check(
      headerFirst === (first?.dateAdded ?? null),
      () =>
        `${what} page ${page}: X-TAXII-Date-Added-First ${headerFirst} != ${first?.dateAdded ?? 'absent'}`,
    )
    out.check(
      headerLast === (last?.dateAdded ?? null),
      () =>
        `${what} page ${page}: X-TAXII-Date-Added-Last ${headerLast} != ${last?.dateAdded ?? 'absent'}`,
    )
    offset += want.length
    const more = offset < expected.length
    if (Boolean(body.more) !== more) {
      out.add(
        `${what} page ${page}: more=${String(body.more)}, expected ${more} (${offset}/${expected.length})`,
      )
      return
    }
    if (!more) return
    if (body.next === undefined) {
      out.add(`${what} page ${page}: more=true without next`)
      return
    }
    next = body.next
  }
  out.add(`${what}: did not end`)
}

/**
 * A 404 body without what differs between any two errors (`error_id`) and with the object id
 * blanked, to compare a hidden object's 404 with an absent one's.
 */
function neutral404(text: string, id: string): string {
  try {
    const body = JSON.parse(text.split(id).join('<id>')) as Record<string, unknown>
    delete body['error_id']
    return JSON.stringify(body)
  } catch {
    return text
  }
}

/**
 * Get an Object (default and `match[version]=all`) and Get Object Versions for every object of
 * the world and one never stored: the visible versions, or 404 with the same body as for an
 * absent object when none is visible (issue 5: a viewer never learns it exists).
 */
export async function checkById(
  baseUrl: string,
  world: World,
  viewerCase: ViewerCase,
  out: Mismatches,
): Promise<void> {
  const visible = visibleRows(world, viewerCase.viewer)
  const root = `/${world.rootPath}/collections/${world.collection.id}/objects/`
  const absent = await taxiiGet(baseUrl, `${root}${world.absentId}/`, viewerCase.authorization)
  out.check(
    absent.status === 404,
    () => `${viewerCase.label}: an absent object answers ${absent.status}`,
  )
  const absentVersions = await taxiiGet(
    baseUrl,
    `${root}${world.absentId}/versions/`,
    viewerCase.authorization,
  )
  const absentBody = neutral404(absent.text, world.absentId)
  const absentVersionsBody = neutral404(absentVersions.text, world.absentId)
  // Users who may delete (not readers) try it on what they cannot see: as if it were absent.
  const deleter =
    viewerCase.viewer.kind === 'user' && viewerCase.viewer.role !== 'reader'
      ? viewerCase.authorization
      : undefined
  const absentDelete =
    deleter === undefined
      ? undefined
      : await taxiiRequest(baseUrl, 'DELETE', `${root}${world.absentId}/`, deleter)
  for (const id of new Set(world.objectIds)) {
    const mine = visible.filter((row) => row.id === id)
    const label = `${viewerCase.label}: ${id.slice(0, 20)}`
    if (mine.length === 0 && deleter !== undefined && absentDelete !== undefined) {
      const deleted = await taxiiRequest(baseUrl, 'DELETE', `${root}${id}/`, deleter)
      out.check(
        deleted.status === 404 &&
          neutral404(deleted.text, id) === neutral404(absentDelete.text, world.absentId),
        () =>
          `${label} has no visible version but DELETE answers ${deleted.status} ${deleted.text.slice(0, 200)} (absent: ${absentDelete.status})`,
      )
    }
    const byId = await taxiiGet(
      baseUrl,
      `${root}${id}/?match[version]=all`,
      viewerCase.authorization,
    )
    const versions = await taxiiGet(baseUrl, `${root}${id}/versions/`, viewerCase.authorization)
    if (mine.length === 0) {
      out.check(
        byId.status === 404,
        () =>
          `${label} has no visible version but GET object answers ${byId.status} ${byId.text.slice(0, 200)}`,
      )
      out.check(
        versions.status === 404,
        () =>
          `${label} has no visible version but GET versions answers ${versions.status} ${versions.text.slice(0, 200)}`,
      )
      out.check(
        neutral404(byId.text, id) === absentBody,
        () =>
          `${label}: a hidden object's 404 differs from an absent one's: ${byId.text} vs ${absent.text}`,
      )
      out.check(
        neutral404(versions.text, id) === absentVersionsBody,
        () => `${label}: a hidden object's versions 404 differs from an absent one's`,
      )
      continue
    }
    if (byId.status !== 200 || versions.status !== 200) {
      out.add(
        `${label} has ${mine.length} visible versions but answers ${byId.status}/${versions.status}: ${byId.text.slice(0, 200)}`,
      )
      continue
    }
    const objects =
      (JSON.parse(byId.text) as { objects?: Array<Record<string, unknown>> }).objects ?? []
    const gotVersions = objects.map((o) => (typeof o['modified'] === 'string' ? o['modified'] : ''))
    out.check(
      isDeepStrictEqual(
        gotVersions,
        mine.map((row) => row.version),
      ),
      () =>
        `${label}: GET object ?match[version]=all gave [${gotVersions.join(' ')}], expected [${mine.map((r) => r.version).join(' ')}]`,
    )
    mine.forEach((row, i) => {
      out.check(
        isDeepStrictEqual(objects[i], expectedView(world, row, viewerCase.viewer)),
        () =>
          `${label}@${row.version}: content differs (masked ${isMasked(row, viewerCase.viewer)})`,
      )
    })
    out.check(
      byId.headers.get('X-TAXII-Date-Added-First') === mine[0]?.dateAdded,
      () =>
        `${label}: X-TAXII-Date-Added-First ${byId.headers.get('X-TAXII-Date-Added-First')} != ${mine[0]?.dateAdded}`,
    )
    out.check(
      byId.headers.get('X-TAXII-Date-Added-Last') === mine.at(-1)?.dateAdded,
      () =>
        `${label}: X-TAXII-Date-Added-Last ${byId.headers.get('X-TAXII-Date-Added-Last')} != ${mine.at(-1)?.dateAdded}`,
    )
    const listed = (JSON.parse(versions.text) as { versions?: string[] }).versions ?? []
    out.check(
      isDeepStrictEqual(
        listed,
        mine.map((row) => row.version),
      ),
      () =>
        `${label}: versions [${listed.join(' ')}], expected [${mine.map((r) => r.version).join(' ')}]`,
    )
    const versionsFirst = versions.headers.get('X-TAXII-Date-Added-First')
    const versionsLast = versions.headers.get('X-TAXII-Date-Added-Last')
    out.check(
      versionsFirst === mine[0]?.dateAdded && versionsLast === mine.at(-1)?.dateAdded,
      () =>
        `${label}: versions headers ${versionsFirst} .. ${versionsLast}, expected ${mine[0]?.dateAdded} .. ${mine.at(-1)?.dateAdded}`,
    )
    const latest = select(mine, {})[0]
    const last = await taxiiGet(baseUrl, `${root}${id}/`, viewerCase.authorization)
    const lastObjects =
      (JSON.parse(last.text) as { objects?: Array<Record<string, unknown>> }).objects ?? []
    out.check(
      latest !== undefined &&
        lastObjects.length === 1 &&
        isDeepStrictEqual(lastObjects[0], expectedView(world, latest, viewerCase.viewer)),
      () =>
        `${label}: GET object (latest) gave ${lastObjects.length} objects, expected the visible ${latest ? short(latest) : '?'}`,
    )
  }
}

/**
 * A reader of a collection that is not public, without credentials: refused (401, or 404 as if
 * absent), never an object (issue 5: only public collections are open to the public).
 */
export async function checkClosedToPublic(
  baseUrl: string,
  world: World,
  out: Mismatches,
): Promise<void> {
  const collection = `/${world.rootPath}/collections/${world.collection.id}/`
  const paths = [
    `${collection}objects/`,
    `${collection}manifest/`,
    ...world.objectIds
      .slice(0, 3)
      .flatMap((id) => [`${collection}objects/${id}/`, `${collection}objects/${id}/versions/`]),
  ]
  for (const path of paths) {
    const answer = await taxiiGet(baseUrl, path, undefined)
    out.check(
      answer.status === 401 || answer.status === 404,
      () => `the public: GET ${path} of a collection that is not public answers ${answer.status}`,
    )
  }
}

/**
 * The collections list an unauthenticated reader gets: the world's collection listed exactly
 * when it is public (other worlds' collections in the same API root are not judged here).
 */
export async function checkPublicCollections(
  baseUrl: string,
  world: World,
  out: Mismatches,
): Promise<void> {
  const answer = await taxiiGet(baseUrl, `/${world.rootPath}/collections/`, undefined)
  if (answer.status !== 200) {
    out.add(`the public: GET collections answers ${answer.status} ${answer.text.slice(0, 200)}`)
    return
  }
  const listed = (
    (JSON.parse(answer.text) as { collections?: Array<{ id: string }> }).collections ?? []
  ).some((c) => c.id === world.collection.id)
  out.check(
    listed === world.collection.public,
    () => `the public: the collection (public=${world.collection.public}) listed=${listed}`,
  )
}

/** Every read of one viewer: the drawn queries, fixed full reads, and every object by id. */
export async function checkViewer(
  baseUrl: string,
  world: World,
  viewerCase: ViewerCase,
  out: Mismatches,
): Promise<void> {
  if (viewerCase.viewer.kind === 'public' && !world.collection.public) {
    await checkClosedToPublic(baseUrl, world, out)
    return
  }
  await checkPagedRead(baseUrl, world, viewerCase, 'objects', {}, undefined, out)
  await checkPagedRead(baseUrl, world, viewerCase, 'objects', { version: 'all' }, 4, out)
  await checkPagedRead(baseUrl, world, viewerCase, 'manifest', { version: 'all' }, 5, out)
  for (const query of world.spec.queries) {
    const selection = selectionOf(world, query)
    await checkPagedRead(baseUrl, world, viewerCase, query.endpoint, selection, query.limit, out)
  }
  await checkById(baseUrl, world, viewerCase, out)
}

// ---------------------------------------------------------------------------------------------
// The suite, run on each adapter

export interface PropertyBudget {
  /** Most worlds tried. */
  runs: number
  /** Stop drawing new worlds after this long (the suite must stay under about a minute). */
  timeLimitMs: number
}

/**
 * The issue 5 property over TAXII on one store adapter: for random worlds and every viewer,
 * every read endpoint returns exactly what `decideVisibility` allows over all stored versions.
 * For a longer soak, `INTELMESH_PROPERTY_RUNS` and `INTELMESH_PROPERTY_TIME_MS` replace the
 * budget; `INTELMESH_PROPERTY_SEED` replays a reported seed.
 */
export function describeSharingProperty(
  name: string,
  makeStore: () => Promise<Store>,
  budget: PropertyBudget,
  skipReason?: string,
): void {
  const runs = Number(process.env['INTELMESH_PROPERTY_RUNS'] ?? budget.runs)
  const timeLimitMs = Number(process.env['INTELMESH_PROPERTY_TIME_MS'] ?? budget.timeLimitMs)
  if (skipReason !== undefined) {
    describe.skip(`sharing rule over TAXII (${name}) skipped: ${skipReason}`, () => {
      it('needs the store', () => undefined)
    })
    return
  }
  describe(`sharing rule over TAXII (${name})`, () => {
    let store: Store
    let served: ServedApp
    const serverLog: string[] = []
    const root = { id: randomUUID(), path: `sp${randomUUID().slice(0, 8)}` }

    beforeAll(async () => {
      store = await makeStore()
      await store.createApiRoot({
        id: root.id,
        path: root.path,
        title: 'sharing property root',
        description: null,
        maxContentLength: 10 * 1024 * 1024,
        createdAt: new Date().toISOString(),
      })
      served = await serveApp(
        createTaxiiApp({
          store,
          authenticator: createAuthenticator(store),
          log: (line) => serverLog.push(line),
        }),
      )
    })

    afterAll(async () => {
      await served.close()
      await store.close()
    })

    it(
      'gives every viewer exactly the versions the rule allows, on every read endpoint (issue 5, The rule; TAXII 2.1 sections 3.2-3.4, 5.3-5.8)',
      async () => {
        const seed = process.env['INTELMESH_PROPERTY_SEED']
        const tally = { versions: 0, posted: 0, seedMs: 0, checkMs: 0, slowestMs: 0 }
        const checkWorld = async (spec: WorldSpec): Promise<void> => {
          const started = performance.now()
          const world = await seedWorld(store, spec, root, served.baseUrl)
          const seeded = performance.now()
          tally.seedMs += seeded - started
          serverLog.length = 0
          const out = new Mismatches(serverLog)
          tally.versions += world.rows.length
          tally.posted += world.posted
          await checkPublicCollections(served.baseUrl, world, out)
          for (const viewerCase of world.viewers) {
            await checkViewer(served.baseUrl, world, viewerCase, out)
          }
          // The DELETEs of invisible objects above must have removed nothing.
          const stored = await store.countObjects(world.collection.id)
          out.check(
            stored === world.rows.length,
            () =>
              `${world.rows.length} versions stored, ${stored} left after the reads and DELETEs`,
          )
          out.throwIfAny(world)
          if (spec.toggle) {
            // Issue 5: a membership change takes effect at the next request.
            const groupId = world.groupIds[spec.toggle.group] ?? ''
            const orgId = world.orgIds[spec.toggle.org] ?? ''
            const member = world.groupMembers.get(groupId)?.has(orgId) ?? false
            await setMembership(store, world, groupId, orgId, !member)
            for (const viewerCase of world.viewers) {
              if (viewerCase.viewer.kind !== 'user') continue
              const all = { version: 'all' }
              await checkPagedRead(
                served.baseUrl,
                world,
                viewerCase,
                'objects',
                all,
                undefined,
                out,
              )
              await checkPagedRead(served.baseUrl, world, viewerCase, 'objects', {}, 3, out)
            }
            out.throwIfAny(world)
          }
          tally.checkMs += performance.now() - seeded
          tally.slowestMs = Math.max(tally.slowestMs, performance.now() - started)
        }
        let inFlight: Promise<unknown> = Promise.resolve()
        const details = await fc.check(
          fc.asyncProperty(worldArbitrary(), (spec) => {
            const run = checkWorld(spec)
            // A run cut off by the time limit goes on; the next test must not start under it.
            inFlight = run.catch(() => undefined)
            return run
          }),
          {
            numRuns: runs,
            plugins: [fc.interruptAfterTimeLimit(timeLimitMs)],
            ...(seed === undefined ? {} : { seed: Number(seed) }),
          },
        )
        await inFlight
        if (details.failed) {
          const cause: unknown = details.errorInstance
          const why = cause instanceof Error ? cause.message : String(cause)
          throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n${why}`)
        }
        console.info(
          `sharing property (${name}): ${details.numRuns} worlds checked, ${tally.versions} versions (${tally.posted} published by TAXII POST); seeding ${Math.round(tally.seedMs)} ms, reads ${Math.round(tally.checkMs)} ms, slowest world ${Math.round(tally.slowestMs)} ms`,
        )
        // An interrupted check that tried almost nothing would prove nothing.
        expect(details.numRuns).toBeGreaterThanOrEqual(Math.min(3, runs))
      },
      timeLimitMs + 120_000,
    )

    it('applies a sharing group membership change at the next request (issue 5, Tests)', async () => {
      const spec: WorldSpec = {
        roles: ['admin', 'analyst', 'reader'],
        groups: [{ owner: 1, members: [1, 2] }],
        defaultTlp: 'amber',
        collectionPublic: false,
        objects: [{ kind: 'indicator', publisher: { kind: 'org', org: 1 } }],
        versions: [
          {
            object: 0,
            minute: 1,
            markings: [TLP_MARKINGS[6]?.[0] ?? ''],
            scope: 'groups',
            groups: [0],
            recipients: [],
            anonymous: false,
            withCreator: true,
            channel: 'params',
          },
        ],
        queries: [],
        toggle: null,
      }
      const world = await seedWorld(store, spec, root, served.baseUrl)
      const reader = world.viewers[2]
      const groupId = world.groupIds[0] ?? ''
      const objectId = world.objectIds[0] ?? ''
      if (!reader) throw new Error('the world has no reader')
      const path = `/${world.rootPath}/collections/${world.collection.id}/objects/`
      const read = async () => {
        const list = await taxiiGet(served.baseUrl, path, reader.authorization)
        const one = await taxiiGet(served.baseUrl, `${path}${objectId}/`, reader.authorization)
        const ids = (
          (JSON.parse(list.text) as { objects?: Array<{ id: string }> }).objects ?? []
        ).map((o) => o.id)
        if (list.status !== 200) throw new Error(`GET objects: ${list.status} ${list.text}`)
        return { ids, byIdStatus: one.status }
      }
      expect(await read()).toEqual({ ids: [objectId], byIdStatus: 200 })
      await setMembership(store, world, groupId, world.orgIds[2] ?? '', false)
      expect(await read()).toEqual({ ids: [], byIdStatus: 404 })
      await setMembership(store, world, groupId, world.orgIds[2] ?? '', true)
      expect(await read()).toEqual({ ids: [objectId], byIdStatus: 200 })
    })
  })
}
