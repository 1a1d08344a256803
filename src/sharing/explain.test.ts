import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  adminWorld,
  indicatorVersion,
  type AdminWorld,
  type VersionFacts,
} from '../../test/helpers/admin-world.js'
import { adminActorOf, localCliActor, type AdminActor } from '../accounts/admin-service.js'
import type { Principal } from '../accounts/principal.js'
import { isAppError, type ErrorCode } from '../errors.js'
import { collectionAccess } from '../taxii/server/collection-access.js'
import { explainVisibility, formatExplanation, type Explanation } from './explain.js'

let world: AdminWorld
let counter = 0

beforeEach(async () => {
  world = await adminWorld()
  // Beta may read the default collection; Gamma holds no grant.
  await world.admin.grant({
    collection: world.collection.id,
    org: world.orgs.beta.id,
    canRead: true,
    canWrite: false,
  })
})

afterEach(async () => {
  await world.store.close()
})

/** Stores one indicator with one version per facts; returns its id. */
async function stored(...versions: VersionFacts[]): Promise<string> {
  counter += 1
  const id = `indicator--00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`
  await world.store.addObjects(
    versions.map((facts, i) =>
      indicatorVersion(world.collection.id, id, `2026-01-0${i + 2}T00:00:00.000Z`, facts),
    ),
    1_000_000,
  )
  return id
}

function explain(
  object: string,
  viewer: string,
  actor: AdminActor = localCliActor,
): Promise<Explanation> {
  return explainVisibility(world.store, actor, { object, viewer })
}

async function actorFor(userName: string): Promise<AdminActor> {
  const user = world.users[userName]
  if (user === undefined) throw new Error(`no user ${userName}`)
  const principal: Principal = {
    via: 'api-key',
    userId: user.id,
    userName: user.name,
    orgId: user.orgId,
    role: user.role,
  }
  return adminActorOf(world.store, principal)
}

async function errorCodeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise
  } catch (error) {
    if (isAppError(error)) return error.code
    throw error
  }
  throw new Error('expected an AppError')
}

describe('explainVisibility per TLP (issue 5, The rule)', () => {
  it('TLP:CLEAR to the federation: members see it; the public only in a public collection', async () => {
    const acme = world.orgs.acme.id
    const id = await stored({
      publisherOrgId: acme,
      tlp: 'clear',
      distribution: { scope: 'federation' },
    })
    const beta = await explain(id, 'Beta')
    expect(beta.versions).toMatchObject([
      {
        tlp: 'clear',
        tlpSource: 'marking',
        decision: { rule: 'COMMUNITY_MEMBER', visible: true },
        readsCollection: true,
        sees: true,
      },
    ])
    const closed = await explain(id, 'public')
    expect(closed.versions[0]?.decision.rule).toBe('PUBLIC_COLLECTION_CLOSED')
    await world.store.updateCollection(world.collection.id, { public: true })
    const open = await explain(id, 'public')
    expect(open.versions[0]).toMatchObject({ decision: { rule: 'PUBLIC_CLEAR' }, sees: true })
  })

  it('TLP:GREEN to the community: members see it, never the public', async () => {
    await world.store.updateCollection(world.collection.id, { public: true })
    const id = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'green' })
    expect((await explain(id, 'user:beta-reader')).versions[0]?.decision.rule).toBe(
      'COMMUNITY_MEMBER',
    )
    expect((await explain(id, 'public')).versions[0]).toMatchObject({
      decision: { rule: 'PUBLIC_NOT_CLEAR', visible: false },
      sees: false,
    })
  })

  it('TLP:AMBER to a sharing group: its members see it, others are not reached', async () => {
    const group = {
      id: '5b9c8a41-7d3e-4f0a-9a11-2c2a7b9d0e01',
      name: 'g1',
      ownerOrgId: world.orgs.acme.id,
      description: '',
      members: [world.orgs.beta.id],
      createdAt: '2026-01-01T00:00:00.000Z',
    }
    await world.store.createSharingGroup(group)
    const id = await stored({
      publisherOrgId: world.orgs.acme.id,
      tlp: 'amber',
      distribution: { scope: 'groups', groups: [group.id] },
    })
    const beta = await explain(id, 'Beta')
    expect(beta.versions[0]).toMatchObject({
      decision: { rule: 'GROUP_MEMBER' },
      distribution: { scope: 'groups', groups: [{ id: group.id, name: 'g1' }] },
    })
    const gamma = await explain(id, 'Gamma')
    expect(gamma.versions[0]).toMatchObject({
      decision: { rule: 'NOT_DISTRIBUTED', visible: false },
      readsCollection: false,
      sees: false,
    })
  })

  it('TLP:AMBER+STRICT to the organisation only: the publisher alone sees it', async () => {
    const id = await stored({
      publisherOrgId: world.orgs.acme.id,
      tlp: 'amber+strict',
      distribution: { scope: 'organisation' },
    })
    expect((await explain(id, 'Beta')).versions[0]?.decision.rule).toBe('NOT_DISTRIBUTED')
    expect((await explain(id, 'acme-reader')).versions[0]?.decision).toMatchObject({
      rule: 'PUBLISHER_OWN',
      visible: true,
    })
  })

  it('TLP:RED: only named recipients, not even a node admin of another organisation', async () => {
    const id = await stored({
      publisherOrgId: world.orgs.acme.id,
      tlp: 'red',
      distribution: { scope: 'community', recipients: [world.orgs.beta.id] },
    })
    const beta = await explain(id, 'org:Beta')
    expect(beta.versions[0]).toMatchObject({
      decision: { rule: 'NAMED_RECIPIENT' },
      distribution: { recipients: [{ name: 'Beta' }] },
      sees: true,
    })
    expect((await explain(id, 'Gamma')).versions[0]?.decision.rule).toBe('RED_NOT_RECIPIENT')
    const admin = await explain(id, 'user:admin')
    expect(admin.viewer).toMatchObject({ kind: 'user', isNodeAdmin: true })
    expect(admin.versions[0]).toMatchObject({
      decision: { rule: 'RED_NOT_RECIPIENT' },
      readsCollection: true,
      sees: false,
    })
  })
})

describe('explainVisibility facts', () => {
  it('reads a missing TLP as the node default and reports every version', async () => {
    await world.store.setSetting('sharing.default_tlp', 'green')
    const id = await stored(
      { publisherOrgId: world.orgs.acme.id, tlp: null },
      { publisherOrgId: world.orgs.acme.id, tlp: 'red' },
    )
    const result = await explain(id, 'Beta')
    expect(result.versions.map((v) => [v.tlp, v.tlpSource, v.decision.rule])).toEqual([
      ['green', 'node-default', 'COMMUNITY_MEMBER'],
      ['red', 'marking', 'RED_NOT_RECIPIENT'],
    ])
  })

  it('marks anonymous versions anonymised for other organisations only', async () => {
    const id = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'green', anonymous: true })
    expect((await explain(id, 'Beta')).versions[0]).toMatchObject({ sees: true, anonymised: true })
    await world.admin.grant({
      collection: world.collection.id,
      org: world.orgs.acme.id,
      canRead: true,
      canWrite: true,
    })
    expect((await explain(id, 'Acme')).versions[0]).toMatchObject({
      sees: true,
      anonymised: false,
    })
  })

  it('explains for a peer viewer (outbound sync) with its collection map', async () => {
    await world.store.peers.createPeer({
      id: '6f1e2d3c-4b5a-4968-8776-655443322110',
      name: 'peer-b',
      url: 'http://127.0.0.1:1/api1/',
      auth: { kind: 'none' },
      direction: 'push',
      orgId: world.orgs.gamma.id,
      maps: [{ localCollectionId: world.collection.id, remoteCollectionId: 'x' }],
      filter: {},
      applyTombstones: false,
      enabled: true,
      createdAt: '2026-01-01T00:00:00.000Z',
    })
    const federated = await stored({
      publisherOrgId: world.orgs.acme.id,
      tlp: 'amber',
      distribution: { scope: 'federation' },
    })
    expect((await explain(federated, 'peer:peer-b')).versions[0]).toMatchObject({
      decision: { rule: 'FEDERATION_PEER' },
      readsCollection: true,
      sees: true,
    })
    const local = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'green' })
    expect((await explain(local, 'peer:peer-b')).versions[0]?.decision.rule).toBe(
      'PEER_NOT_FEDERATED',
    )
  })

  it('prints one block per version naming the rule', async () => {
    const id = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'red' })
    const text = formatExplanation(await explain(id, 'Beta'))
    expect(text).toContain(`object ${id}`)
    expect(text).toContain('viewer organisation "Beta"')
    expect(text).toMatch(/rule {10}RED_NOT_RECIPIENT: hidden/)
    expect(text).toContain('=> does NOT see this version')
  })
})

describe('explainVisibility collection access', () => {
  it('agrees with the TAXII server on who may read the collection', async () => {
    const id = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'clear' })
    const grants = await world.store.listCollectionGrants(world.collection.id)
    const nodeOrgId = world.nodeOrg.id
    for (const isPublic of [false, true]) {
      await world.store.updateCollection(world.collection.id, { public: isPublic })
      for (const [name, user] of Object.entries(world.users)) {
        const principal: Principal = {
          via: 'api-key',
          userId: user.id,
          userName: user.name,
          orgId: user.orgId,
          role: user.role,
        }
        const taxii = collectionAccess(principal, grants, { nodeOrgId, public: isPublic })
        const explained = await explain(id, `user:${name}`)
        expect(explained.versions[0]?.readsCollection, `${name}, public ${isPublic}`).toBe(
          taxii.canRead,
        )
      }
    }
  })
})

describe('explainVisibility permissions and input', () => {
  it("lets an organisation admin explain its own objects, and hides others' (404)", async () => {
    const own = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'amber' })
    const theirs = await stored({ publisherOrgId: world.orgs.beta.id, tlp: 'amber' })
    const acmeAdmin = await actorFor('acme-admin')
    expect((await explain(own, 'Gamma', acmeAdmin)).versions).toHaveLength(1)
    expect(await errorCodeOf(explain(theirs, 'Gamma', acmeAdmin))).toBe('STORE_NOT_FOUND')
    expect(await errorCodeOf(explain(own, 'Gamma', await actorFor('acme-analyst')))).toBe(
      'ADMIN_FORBIDDEN',
    )
    expect((await explain(theirs, 'Gamma', await actorFor('admin'))).versions).toHaveLength(1)
  })

  it('refuses a malformed object id, an unknown viewer and an ambiguous one', async () => {
    const id = await stored({ publisherOrgId: world.orgs.acme.id, tlp: 'amber' })
    expect(await errorCodeOf(explain('not-an-id', 'Beta'))).toBe('ADMIN_INVALID_INPUT')
    expect(await errorCodeOf(explain(id, 'Nobody'))).toBe('STORE_NOT_FOUND')
    await world.admin.addUser({ name: 'Beta', org: world.orgs.gamma.id, role: 'reader' })
    expect(await errorCodeOf(explain(id, 'Beta'))).toBe('ADMIN_INVALID_INPUT')
    expect((await explain(id, 'user:Beta')).viewer).toMatchObject({ kind: 'user' })
  })
})
