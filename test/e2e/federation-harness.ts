/**
 * Helpers of the federation process tests (issue 6): intelmesh nodes as separate `serve`
 * processes on 127.0.0.1, configured through the CLI against each node's database, connected
 * pairwise as an admin would (docs/federation.md), and read back through their stores for exact
 * counts. Builds on node-harness.ts.
 */
import { randomUUID } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { main } from '../../src/cli/main.js'
import { openStore } from '../../src/cli/open-store.js'
import { objectMetadata } from '../../src/ingest/object-metadata.js'
import type { Distribution, StoredObjectVersion, Store } from '../../src/store/store.js'
import {
  TAXII,
  bearer,
  http,
  printedKey,
  runCli,
  startNodeProcess,
  type NodeProcess,
} from './node-harness.js'

export const ADMIN_PASSWORD = 'federation e2e admin password'

/** TLP 2.0 marking definition ids (OASIS common objects; issue 5). */
export const TLP = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
} as const

export interface FedNode {
  name: string
  /** The `--db` value (SQLite file or PostgreSQL URL). */
  db: string
  /** Extra environment of the serve process (e.g. the sync interval). */
  env: Record<string, string>
  process: NodeProcess
  /** `http://127.0.0.1:<port>/api1/` */
  apiRoot: string
  adminKey: string
  /** The `shared` collection: default distribution federation. */
  sharedId: string
  /** The node's own organisation and its STIX identity. */
  orgId: string
  identityId: string
}

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8')
    done()
  }
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs an admin command of the CLI in this process against `node`'s database (fast; the sync
 * itself runs in child processes, see {@link syncOnce}). Throws with the output unless it exits
 * with `expect` (default 0).
 */
export async function adminCli(
  node: Pick<FedNode, 'db'>,
  args: string[],
  options: { env?: Record<string, string>; expect?: number } = {},
): Promise<CliResult> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(['node', 'intelmesh', ...args, '--db', node.db], {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env: options.env ?? {},
  })
  const result = { code, stdout: stdout.text, stderr: stderr.text }
  if (code !== (options.expect ?? 0)) {
    throw new Error(`intelmesh ${args.join(' ')} exited ${code}:\n${result.stdout}${result.stderr}`)
  }
  return result
}

/** `adminCli` with `--json`, parsed. */
export async function adminJson<T>(node: Pick<FedNode, 'db'>, args: string[]): Promise<T> {
  return JSON.parse((await adminCli(node, [...args, '--json'])).stdout) as T
}

/** Starts (or restarts) the serve process of a node; resolves once it listens. */
export function serveProcess(
  db: string,
  name: string,
  env: Record<string, string>,
): Promise<NodeProcess> {
  return startNodeProcess(['--db', db], {
    INTELMESH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    INTELMESH_NODE_NAME: name,
    INTELMESH_SYNC_INTERVAL_SECONDS: '0',
    ...env,
  })
}

function originOf(process: NodeProcess): string {
  const origin = /listening on (https?:\/\/[^\s/]+)\//.exec(process.output())?.[1]
  if (origin === undefined) throw new Error(`no origin in:\n${process.output()}`)
  return origin
}

/**
 * Starts a fresh node: serve on 127.0.0.1 port 0, then (through the CLI) a `shared` collection
 * whose objects are distributed to the federation, granted to the node's organisation.
 */
export async function startFedNode(
  name: string,
  db: string,
  env: Record<string, string> = {},
): Promise<FedNode> {
  const process = await serveProcess(db, name, env)
  const origin = originOf(process)
  const handle = { db }
  const shared = await adminJson<{ id: string }>(handle, [
    'collection',
    'add',
    'shared',
    '--distribution',
    'federation',
  ])
  await adminCli(handle, ['collection', 'grant', 'shared', '--org', name, '--read', '--write'])
  const orgs = await adminJson<{ id: string; name: string; identityId: string }[]>(handle, [
    'org',
    'list',
  ])
  const own = orgs.find((o) => o.name === name)
  if (own === undefined) throw new Error(`node ${name} has no organisation named after it`)
  return {
    name,
    db,
    env,
    process,
    apiRoot: `${origin}/api1/`,
    adminKey: printedKey(process.output()),
    sharedId: shared.id,
    orgId: own.id,
    identityId: own.identityId,
  }
}

/** Prints the end of each node's output (for a failed test: what the servers said). */
export function printOutputs(nodes: readonly FedNode[]): void {
  for (const node of nodes) {
    console.error(
      `--- ${node.name} output (last 4,000 characters):\n${node.process.output().slice(-4_000)}`,
    )
  }
}

/** Restarts a node's serve process (after a kill); the port changes, so peers' URLs are fixed up by the caller. */
export async function restartFedNode(
  node: FedNode,
  env: Record<string, string> = {},
): Promise<void> {
  node.process = await serveProcess(node.db, node.name, { ...node.env, ...env })
  node.apiRoot = `${originOf(node.process)}/api1/`
}

export interface ConnectOptions {
  /** The direction of x's peer entry for y (default both). */
  xDirection?: 'pull' | 'push' | 'both'
  /** The direction of y's peer entry for x (default both). */
  yDirection?: 'pull' | 'push' | 'both'
  tombstones?: boolean
}

/**
 * Connects two nodes both ways, step by step as docs/federation.md tells an admin: each adds
 * the other's organisation (with the other's identity id) and the other as a peer, issues the
 * key the other uses to reach it, and hands it over.
 */
export async function connect(x: FedNode, y: FedNode, options: ConnectOptions = {}): Promise<void> {
  const tombstones = options.tombstones === false ? 'off' : 'on'
  await ensureOrg(x, y)
  await ensureOrg(y, x)
  const peerAdd = (
    at: FedNode,
    other: FedNode,
    direction: string,
    auth: string,
    envAuth = '',
  ): Promise<CliResult> =>
    adminCli(
      at,
      [
        'peer',
        'add',
        other.name,
        '--url',
        other.apiRoot,
        '--org',
        other.name,
        '--map',
        `shared=${other.sharedId}`,
        '--direction',
        direction,
        '--tombstones',
        tombstones,
        '--auth',
        auth,
      ],
      // The key travels in the environment (`--auth env`), as the docs recommend.
      { env: { INTELMESH_PEER_AUTH: envAuth } },
    )
  await peerAdd(x, y, options.xDirection ?? 'both', 'none')
  const keyOnX = await adminJson<{ key: string }>(x, ['peer', 'key', y.name])
  await peerAdd(y, x, options.yDirection ?? 'both', 'env', `bearer:${keyOnX.key}`)
  const keyOnY = await adminJson<{ key: string }>(y, ['peer', 'key', x.name])
  await adminCli(x, ['peer', 'update', y.name, '--auth', `bearer:${keyOnY.key}`])
}

async function ensureOrg(at: FedNode, other: FedNode): Promise<void> {
  const orgs = await adminJson<{ name: string }[]>(at, ['org', 'list'])
  if (orgs.some((o) => o.name === other.name)) return
  await adminCli(at, ['org', 'add', other.name, '--identity-id', other.identityId])
}

/** After `node` restarted on another port, points every other node's peer entry at it. */
export async function repoint(node: FedNode, others: FedNode[]): Promise<void> {
  for (const other of others) {
    await adminCli(other, ['peer', 'update', node.name, '--url', node.apiRoot])
  }
}

export interface SyncRun {
  code: number | null
  stdout: string
  stderr: string
  reports: Array<{
    peerName: string
    ok: boolean
    skipped: boolean
    pulled: number
    pushed: number
    invalid: number
    danglingRefs: number
    errors: string[]
    collections: Array<{ direction: string; moved: number; duplicates: number; heldBack: number }>
  }>
}

/** Runs `intelmesh sync --once --json` as a separate process against `node`'s database. */
export async function syncOnce(node: FedNode, extra: string[] = []): Promise<SyncRun> {
  const result = await runCli(['sync', '--once', '--json', '--db', node.db, ...extra])
  let reports: SyncRun['reports'] = []
  try {
    reports = JSON.parse(result.stdout) as SyncRun['reports']
  } catch {
    throw new Error(
      `sync at ${node.name} printed no JSON (exit ${result.code}):\n${result.stdout}${result.stderr}`,
    )
  }
  return { ...result, reports }
}

/** Runs `work` on a store opened on `node`'s database (beside the running node), then closes it. */
export async function withStore<T>(
  node: Pick<FedNode, 'db'>,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(node.db)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

/** Every stored version of a collection, oldest first (the store's own view, no sharing rule). */
export async function allVersions(
  node: Pick<FedNode, 'db'>,
  collectionId: string,
): Promise<StoredObjectVersion[]> {
  return withStore(node, async (store) => {
    const all: StoredObjectVersion[] = []
    let afterMicros: number | undefined
    for (;;) {
      const page = await store.queryObjects({
        collectionId,
        versions: { kind: 'all' },
        limit: 10_000,
        ...(afterMicros !== undefined ? { afterMicros } : {}),
      })
      all.push(...page.items)
      const last = page.items.at(-1)
      if (!page.more || last === undefined) return all
      afterMicros = last.dateAddedMicros
    }
  })
}

/** `id@version` of each version, sorted: what two nodes must agree on. */
export function versionKeys(versions: ReadonlyArray<{ id: string; version: string }>): string[] {
  return versions.map((v) => `${v.id}@${v.version}`).sort()
}

/** POSTs objects to a node's `shared` collection as its admin; fails unless all are stored. */
export async function publish(node: FedNode, objects: Record<string, unknown>[]): Promise<void> {
  const answer = await http(
    'POST',
    `${node.apiRoot}collections/${node.sharedId}/objects/`,
    { ...bearer(node.adminKey), 'Content-Type': TAXII },
    JSON.stringify({ objects }),
  )
  if (answer.status !== 202)
    throw new Error(`POST at ${node.name}: ${answer.status} ${answer.body}`)
  const status = JSON.parse(answer.body) as { success_count: number; failures?: unknown[] }
  if (status.success_count !== objects.length) {
    throw new Error(`POST at ${node.name}: ${answer.body}`)
  }
}

/**
 * Stores objects in a node's collection directly through its store (large batches; and for
 * distributions a TAXII POST cannot ask for), published by the node's own organisation.
 */
export async function seed(
  node: Pick<FedNode, 'db' | 'orgId'>,
  collectionId: string,
  objects: ReadonlyArray<Record<string, unknown>>,
  distribution?: Distribution,
  batch = 5_000,
): Promise<void> {
  await withStore(node, async (store) => {
    const collection = await store.getCollection(collectionId)
    if (collection === undefined) throw new Error(`no collection ${collectionId}`)
    const publisher = { orgId: node.orgId, actor: 'test:seed' }
    for (let i = 0; i < objects.length; i += batch) {
      const rows = objects.slice(i, i + batch).map((object) => {
        const row = objectMetadata(object, JSON.stringify(object), collection, publisher)
        if (distribution) row.distribution = structuredClone(distribution)
        return row
      })
      await store.addObjects(rows, Date.now() * 1000)
    }
  })
}

const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString()

/** The objects of a published report (STIX 2.1 sections 4.5, 4.7, 4.11, 4.13, 5.1). */
export interface ReportSet {
  identity: Record<string, unknown>
  indicators: Record<string, unknown>[]
  malware: Record<string, unknown>
  relationship: Record<string, unknown>
  report: Record<string, unknown>
  /** Everything, in an order that puts each referenced object first. */
  all: Record<string, unknown>[]
}

/** A report with its identity, indicators, malware and an `indicates` relationship, TLP:GREEN. */
export function reportSet(label: string, indicatorCount = 2): ReportSet {
  const markings = { object_marking_refs: [TLP.green] }
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${randomUUID()}`,
    created: at(0),
    modified: at(0),
    name: `${label} CERT`,
    identity_class: 'organization',
    ...markings,
  }
  const by = { created_by_ref: identity.id, ...markings }
  const indicators = Array.from({ length: indicatorCount }, (_, i) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created: at(1),
    modified: at(1),
    name: `${label} C2 ${i}`,
    pattern: `[ipv4-addr:value = '198.51.100.${i + 1}']`,
    pattern_type: 'stix',
    valid_from: at(1),
    ...by,
  }))
  const malware = {
    type: 'malware',
    spec_version: '2.1',
    id: `malware--${randomUUID()}`,
    created: at(1),
    modified: at(1),
    name: `${label} loader`,
    is_family: true,
    ...by,
  }
  const relationship = {
    type: 'relationship',
    spec_version: '2.1',
    id: `relationship--${randomUUID()}`,
    created: at(2),
    modified: at(2),
    relationship_type: 'indicates',
    source_ref: indicators[0]?.id,
    target_ref: malware.id,
    ...by,
  }
  const report = {
    type: 'report',
    spec_version: '2.1',
    id: `report--${randomUUID()}`,
    created: at(3),
    modified: at(3),
    name: `${label} campaign`,
    published: at(3),
    report_types: ['campaign'],
    object_refs: [...indicators.map((i) => i.id), malware.id, relationship.id],
    ...by,
  }
  return {
    identity,
    indicators,
    malware,
    relationship,
    report,
    all: [identity, ...indicators, malware, relationship, report],
  }
}

/** A later version of `object` (STIX 2.1 section 3.6): same id, newer `modified`, changes applied. */
export function newVersion(
  object: Record<string, unknown>,
  minute: number,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...object, modified: at(minute), ...changes }
}
