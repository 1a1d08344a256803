/**
 * A small bootstrapped node for the administration tests: the node organisation with its
 * `admin` (a node admin), organisations Acme, Beta and Gamma with an admin, an analyst and a
 * reader each, an API key per user, and a helper to store object versions with chosen sharing
 * facts. In-memory SQLite unless another store is given; cheap scrypt.
 */
import { AdminService } from '../../src/accounts/admin-service.js'
import { bootstrapNode } from '../../src/node/bootstrap.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type {
  Collection,
  Distribution,
  NewObjectVersion,
  Organisation,
  Role,
  Store,
  TlpLevel,
  User,
} from '../../src/store/store.js'
import { versionKeyOf } from '../../src/store/timestamps.js'

export const fastScrypt = { N: 2 ** 10, r: 8, p: 1 }

export interface AdminWorld {
  store: Store
  admin: AdminService
  nodeOrg: Organisation
  orgs: { acme: Organisation; beta: Organisation; gamma: Organisation }
  /** By user name: `admin`, `acme-admin`, `acme-analyst`, `acme-reader`, `beta-admin`... */
  users: Record<string, User>
  /** An API key per user name. */
  keys: Record<string, string>
  /** The bootstrapped `default` collection (read-write for the node organisation). */
  collection: Collection
}

/** Builds the world in `makeStore()`'s store (default: a fresh in-memory SQLite, migrated). */
export async function adminWorld(
  makeStore: () => Promise<Store> = async () => {
    const store = SqliteStore.open(':memory:')
    await store.migrate()
    return store
  },
): Promise<AdminWorld> {
  const store = await makeStore()
  const admin = new AdminService(store, { scryptParams: fastScrypt })
  const boot = await bootstrapNode(store, admin, {
    nodeName: 'Node',
    adminPassword: 'correct horse battery staple',
  })
  if (!boot.firstStart) throw new Error('expected a first start')
  const users: Record<string, User> = { admin: boot.adminUser }
  const keys: Record<string, string> = {}
  const orgs = {
    acme: await admin.addOrganisation('Acme'),
    beta: await admin.addOrganisation('Beta'),
    gamma: await admin.addOrganisation('Gamma'),
  }
  for (const [short, org] of Object.entries(orgs)) {
    for (const role of ['admin', 'analyst', 'reader'] as Role[]) {
      const name = `${short}-${role}`
      users[name] = await admin.addUser({ name, org: org.id, role, password: null })
    }
  }
  for (const [name, user] of Object.entries(users)) {
    keys[name] = (await admin.createApiKey(user.id, 'test')).key
  }
  return {
    store,
    admin,
    nodeOrg: boot.organisation,
    orgs,
    users,
    keys,
    collection: boot.collection,
  }
}

export interface VersionFacts {
  publisherOrgId: string | null
  tlp: TlpLevel | null
  distribution?: Partial<Distribution>
  anonymous?: boolean
  originPeer?: string | null
}

/** One stored indicator version with the given sharing facts. */
export function indicatorVersion(
  collectionId: string,
  id: string,
  modified: string,
  facts: VersionFacts,
): NewObjectVersion {
  const object = {
    type: 'indicator',
    spec_version: '2.1',
    id,
    created: '2026-01-01T00:00:00.000Z',
    modified,
    pattern: "[ipv4-addr:value = '192.0.2.1']",
    pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z',
  }
  return {
    collectionId,
    id,
    type: 'indicator',
    specVersion: '2.1',
    version: modified,
    versionKey: versionKeyOf(modified),
    json: JSON.stringify(object),
    publisherOrgId: facts.publisherOrgId,
    publisherActor: null,
    markingRefs: [],
    tlp: facts.tlp,
    distribution: {
      scope: facts.distribution?.scope ?? 'community',
      groups: facts.distribution?.groups ?? [],
      recipients: facts.distribution?.recipients ?? [],
    },
    anonymous: facts.anonymous ?? false,
    originPeer: facts.originPeer ?? null,
    revoked: false,
  }
}
