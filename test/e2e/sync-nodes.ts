/**
 * In-process intelmesh nodes for the federation tests: each a SQLite file, bootstrapped, its
 * TAXII app and admin API served on 127.0.0.1 over a real socket; helpers to link two nodes as peers (each
 * issuing the other a peer key) and to publish STIX objects through TAXII.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AdminService } from '../../src/accounts/admin-service.js'
import { createAuthenticator } from '../../src/accounts/authenticator.js'
import { createAdminApp } from '../../src/admin-api/create-admin-app.js'
import { withAdminApi } from '../../src/admin-api/mount.js'
import { bootstrapNode } from '../../src/node/bootstrap.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { Collection, Distribution, Store } from '../../src/store/store.js'
import {
  addPeer,
  createPeerKey,
  updatePeer,
  type NewPeer,
  type Peer,
} from '../../src/sync/index.js'
import { TaxiiClient } from '../../src/taxii/client/index.js'
import { createTaxiiApp } from '../../src/taxii/server/create-taxii-app.js'
import { serveApp, type ServedApp } from '../helpers/serve.js'

export const TLP = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  amberStrict: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
} as const

export interface TestNode {
  name: string
  store: Store
  admin: AdminService
  served: ServedApp
  /** `http://127.0.0.1:<port>/api1/` */
  apiRootUrl: string
  /** The bootstrapped read-write collection. */
  collection: Collection
  nodeOrgId: string
  /** The admin user's API key (node admin). */
  adminKey: string
  /** A TAXII client as the node's admin. */
  client: TaxiiClient
  close(): Promise<void>
}

const fast = { N: 2 ** 10, r: 8, p: 1 }

/**
 * Starts a node with its own SQLite file (or the store `open` gives); its collection
 * distributes to the federation.
 */
export async function startNode(name: string, open?: () => Promise<Store>): Promise<TestNode> {
  const dir = mkdtempSync(join(tmpdir(), `intelmesh-sync-${name}-`))
  const store = open !== undefined ? await open() : SqliteStore.open(join(dir, 'node.db'))
  await store.migrate()
  const admin = new AdminService(store, { scryptParams: fast })
  const boot = await bootstrapNode(store, admin, { nodeName: name, adminPassword: 'x'.repeat(16) })
  if (!boot.firstStart || boot.apiKey === undefined) throw new Error('bootstrap did not run')
  const federation: Distribution = { scope: 'federation', groups: [], recipients: [] }
  await store.updateCollection(boot.collection.id, { defaultDistribution: federation })
  const collection = { ...boot.collection, defaultDistribution: federation }
  const authenticator = createAuthenticator(store)
  const taxii = createTaxiiApp({ store, authenticator, log: () => undefined })
  const adminApi = createAdminApp({
    store,
    authenticator,
    log: () => undefined,
    checkResponses: true,
  })
  const served = await serveApp(withAdminApi(taxii, adminApi))
  const apiRootUrl = `${served.baseUrl}/api1/`
  const client = new TaxiiClient({
    url: served.baseUrl,
    auth: { bearer: boot.apiKey },
    retries: 0,
  })
  return {
    name,
    store,
    admin,
    served,
    apiRootUrl,
    collection,
    nodeOrgId: boot.organisation.id,
    adminKey: boot.apiKey,
    client,
    close: async () => {
      client.close()
      await served.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** What `link` returns: each side's peer record for the other. */
export interface Link {
  /** On `from`: the peer record for `to`. */
  fromPeer: Peer
  /** On `to`: the peer record for `from`. */
  toPeer: Peer
  /** On `from`: the organisation standing for `to`. */
  fromOrgId: string
  toOrgId: string
}

/**
 * Links two nodes both ways: on each, an organisation for the other node, a peer record for it
 * mapping the default collections, and a peer key issued to the other side.
 */
export async function link(
  from: TestNode,
  to: TestNode,
  options: {
    fromSide?: Partial<NewPeer>
    toSide?: Partial<NewPeer>
  } = {},
): Promise<Link> {
  const fromOrg = await from.admin.addOrganisation(`org-of-${to.name}`)
  const toOrg = await to.admin.addOrganisation(`org-of-${from.name}`)
  const fromPeer = await addPeer(from.store, {
    name: to.name,
    url: to.apiRootUrl,
    auth: { kind: 'none' },
    org: fromOrg.id,
    maps: [{ local: from.collection.alias, remote: to.collection.id }],
    ...options.fromSide,
  })
  const toPeer = await addPeer(to.store, {
    name: from.name,
    url: from.apiRootUrl,
    auth: { kind: 'none' },
    org: toOrg.id,
    maps: [{ local: to.collection.alias, remote: from.collection.id }],
    ...options.toSide,
  })
  const keyForTo = await createPeerKey(from.store, fromPeer.id)
  const keyForFrom = await createPeerKey(to.store, toPeer.id)
  return {
    fromPeer: await updatePeer(from.store, fromPeer.id, {
      auth: { kind: 'bearer', token: keyForFrom.key },
    }),
    toPeer: await updatePeer(to.store, toPeer.id, {
      auth: { kind: 'bearer', token: keyForTo.key },
    }),
    fromOrgId: fromOrg.id,
    toOrgId: toOrg.id,
  }
}

let counter = 0

/** A distinct timestamp per call (STIX `created`/`modified`). */
export function stamp(offsetMs = 0): string {
  counter += 1
  return new Date(Date.UTC(2026, 0, 1) + counter * 1000 + offsetMs).toISOString()
}

/** A valid indicator with the given markings and overrides. */
export function indicator(
  overrides: Record<string, unknown> = {},
  marking: string = TLP.green,
): Record<string, unknown> {
  const at = stamp()
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: at,
    modified: at,
    pattern: "[ipv4-addr:value = '198.51.100.7']",
    pattern_type: 'stix',
    valid_from: at,
    object_marking_refs: [marking],
    ...overrides,
  }
}

/** A valid report naming `refs`. */
export function report(
  refs: string[],
  overrides: Record<string, unknown> = {},
  marking: string = TLP.green,
): Record<string, unknown> {
  const at = stamp()
  return {
    type: 'report',
    spec_version: '2.1',
    id: `report--${randomUUID()}`,
    created: at,
    modified: at,
    name: 'Campaign report',
    published: at,
    object_refs: refs,
    object_marking_refs: [marking],
    ...overrides,
  }
}

/** A valid identity. */
export function identity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const at = stamp()
  return {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${randomUUID()}`,
    created: at,
    modified: at,
    name: 'ACME CERT',
    identity_class: 'organization',
    object_marking_refs: [TLP.green],
    ...overrides,
  }
}

/** Publishes objects at a node as its admin, through TAXII; throws when one is refused. */
export async function publish(node: TestNode, objects: object[]): Promise<void> {
  const status = await node.client.addObjects('api1', node.collection.id, objects)
  if (status.failure_count > 0) {
    throw new Error(`publish at ${node.name} refused: ${JSON.stringify(status.failures)}`)
  }
}

/** The ids@versions a node holds in its collection (every version), sorted. */
export async function holdings(node: TestNode): Promise<string[]> {
  const page = await node.store.queryObjects({
    collectionId: node.collection.id,
    versions: { kind: 'all' },
    limit: 100_000,
  })
  return page.items.map((v) => `${v.id}@${v.version}`).sort()
}
