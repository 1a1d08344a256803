/**
 * The cost of the sharing rule (issue 5, Benchmark): TAXII paging objects/s over 1,000,000
 * objects in one SQLite collection, with 50 organisations and 20 sharing groups of random
 * members, as a user of one organisation with the rule on, against the same paging with the
 * rule switched off in the benchmark only.
 *
 * - Data: a deterministic mix of SDOs and SCOs (`taxii-objects.ts`) stored through
 *   `store.addObjects` in 10,000-row batches, each version with a publisher among the 50
 *   organisations (2% the node itself), TLP markings (TLP 1.0 and 2.0 ids; 5% none → the node
 *   default, AMBER), a distribution (community, federation, groups, organisation), named
 *   recipients for every TLP:RED version and a few others, 5% anonymous; 5% of the objects
 *   get a second version, so the store holds 1,050,000 rows for 1,000,000 objects.
 * - Server: `sharing-server.ts` in a child process, serving two apps over one store: (a) the
 *   rule on (the production app), (b) built with `applySharingRule: false`, a setting that
 *   exists only for this comparison and is never read from configuration. Same process, same
 *   store, same user, same audit log.
 * - Client: pages `objects/?limit=1000` with `next` to the end over a real socket, one request
 *   after another. A first pass of each parses every envelope whole, checks every page but the
 *   last is full, and counts the objects; the timed passes read only `more`/`next` from the
 *   envelope head (every byte is still received), so the figures are the server's, not the
 *   client's JSON.parse. (a) and (b) alternate, five passes each; figures are medians.
 * - Rate: visible objects per second (what the viewer receives), so (a) pays for every row it
 *   has to skip. Target: (a)/(b) ≥ 0.7. Also the server's CPU time per 1,000 objects from
 *   Linux's /proc, which a loaded machine disturbs less than wall time.
 *
 * - The same paging through the store alone (`queryObjectJson` with and without the viewer's
 *   filter, in this process), to tell the SQL filter's cost from the rest of the request.
 *
 * `--quick` stores 20,000 objects and runs two passes each.
 */
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateApiKey } from '../src/accounts/api-key.js'
import type { Viewer } from '../src/sharing/policy.js'
import { sharingSettings, visibilityFilterOf } from '../src/sharing/viewer.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type {
  Collection,
  Distribution,
  NewObjectVersion,
  ObjectQuery,
  Store,
  TlpLevel,
  VisibilityFilter,
} from '../src/store/store.js'
import { versionKeyOf } from '../src/store/timestamps.js'
import { makeObject } from './taxii-objects.js'
import { ratePerSecond, type BenchContext, type Benchmark } from './harness.js'

const TAXII = 'application/taxii+json;version=2.1'
const PAGE = 1000
const ORGS = 50
const GROUPS = 20
const BATCH = 10_000

/** TLP marking ids: TLP 2.0 (OASIS common objects) and TLP 1.0 (STIX 2.1 section 7.2.1.4). */
const MARKINGS: Record<TlpLevel, string[]> = {
  clear: [
    'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
    'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  ],
  green: [
    'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
    'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  ],
  amber: [
    'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
    'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  ],
  'amber+strict': ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
  red: [
    'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
    'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
  ],
}

/** A small deterministic generator (mulberry32), so every run builds the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Picks by weight: `weights` pairs each choice with its share. */
function weighted<T>(next: () => number, weights: ReadonlyArray<readonly [T, number]>): T {
  const total = weights.reduce((sum, [, w]) => sum + w, 0)
  let at = next() * total
  for (const [choice, w] of weights) {
    at -= w
    if (at < 0) return choice
  }
  const last = weights.at(-1)
  if (!last) throw new Error('weighted: no choices')
  return last[0]
}

interface Dataset {
  orgIds: string[]
  identityIds: string[]
  groupIds: string[]
  /** Group memberships, for the viewer's choice. */
  groupsOf: Map<string, string[]>
}

/** One version's sharing: TLP marking(s), distribution, anonymity, publisher. */
function sharingOf(next: () => number, data: Dataset) {
  const publisherIndex = next() < 0.02 ? -1 : Math.floor(next() * ORGS)
  const tlp = weighted<TlpLevel | null>(next, [
    ['clear', 20],
    ['green', 35],
    ['amber', 30],
    ['amber+strict', 5],
    ['red', 5],
    [null, 5],
  ])
  const markings: string[] = []
  if (tlp !== null) {
    const ids = MARKINGS[tlp]
    markings.push(ids[Math.floor(next() * ids.length)] ?? '')
    // Now and then a second, less restrictive TLP beside it: the most restrictive counts.
    if (tlp !== 'clear' && next() < 0.1) markings.push(MARKINGS.clear[0] ?? '')
  }
  const scope = weighted<Distribution['scope']>(next, [
    ['community', 45],
    ['federation', 20],
    ['groups', 25],
    ['organisation', 10],
  ])
  const groups: string[] = []
  if (scope === 'groups') {
    const count = next() < 0.7 ? 1 : 2
    for (let i = 0; i < count; i++) {
      groups.push(data.groupIds[Math.floor(next() * GROUPS)] ?? '')
    }
  }
  const recipients: string[] = []
  if (tlp === 'red' || next() < 0.05) {
    const count = 1 + Math.floor(next() * 3)
    for (let i = 0; i < count; i++) recipients.push(data.orgIds[Math.floor(next() * ORGS)] ?? '')
  }
  return {
    publisherOrgId: publisherIndex < 0 ? null : (data.orgIds[publisherIndex] ?? null),
    publisherIdentity: publisherIndex < 0 ? data.identityIds[0] : data.identityIds[publisherIndex],
    markings,
    tlp,
    distribution: { scope, groups, recipients },
    anonymous: next() < 0.05,
  }
}

/** Object `n` and, for 5% of the objects, a second version of it right after. */
function versionsFor(
  n: number,
  next: () => number,
  data: Dataset,
  collection: Collection,
): NewObjectVersion[] {
  const base = makeObject(1, n)
  const out: NewObjectVersion[] = []
  const second =
    n % 100 === 0 || n % 100 === 20 || n % 100 === 40 || n % 100 === 60 || n % 100 === 80
  for (let v = 0; v < (second ? 2 : 1); v++) {
    const sharing = sharingOf(next, data)
    const object: Record<string, unknown> = { ...base }
    const isSdo = typeof base['created'] === 'string'
    if (isSdo && sharing.publisherIdentity !== undefined) {
      object['created_by_ref'] = sharing.publisherIdentity
    }
    if (v === 1) {
      object['modified'] = new Date(Date.parse(String(base['modified'])) + 86_400_000).toISOString()
    }
    if (sharing.markings.length > 0) object['object_marking_refs'] = sharing.markings
    const version = isSdo ? String(object['modified']) : ''
    out.push({
      collectionId: collection.id,
      id: String(object['id']),
      type: String(object['type']),
      specVersion: '2.1',
      version,
      versionKey: versionKeyOf(version),
      json: JSON.stringify(object),
      publisherOrgId: sharing.publisherOrgId,
      publisherActor: 'benchmark',
      markingRefs: sharing.markings,
      tlp: sharing.tlp,
      distribution: sharing.distribution,
      anonymous: sharing.anonymous,
      originPeer: null,
      revoked: false,
    })
  }
  return out
}

interface Built {
  collection: Collection
  /** `Authorization` header of the viewing user. */
  authorization: string
  viewerOrgIndex: number
  viewerOrgId: string
  viewerGroups: number
  rows: number
}

async function build(store: Store, objects: number, ctx: BenchContext): Promise<Built> {
  const now = new Date().toISOString()
  const next = random(20261129)
  const data: Dataset = { orgIds: [], identityIds: [], groupIds: [], groupsOf: new Map() }
  for (let i = 0; i < ORGS; i++) {
    const id = randomUUID()
    const identityId = `identity--${randomUUID()}`
    await store.createOrganisation({ id, name: `bench-org-${i}`, identityId, createdAt: now })
    data.orgIds.push(id)
    data.identityIds.push(identityId)
    data.groupsOf.set(id, [])
  }
  for (let g = 0; g < GROUPS; g++) {
    const id = randomUUID()
    const members = data.orgIds.filter(() => next() < 0.15)
    const owner = data.orgIds[Math.floor(next() * ORGS)] ?? ''
    await store.createSharingGroup({
      id,
      name: `bench-group-${g}`,
      ownerOrgId: owner,
      description: 'benchmark group',
      members,
      createdAt: now,
    })
    data.groupIds.push(id)
    for (const m of members) data.groupsOf.get(m)?.push(id)
  }
  await store.setSetting(sharingSettings.nodeOrgId, data.orgIds[0] ?? '')
  await store.setSetting(sharingSettings.allianceIdentityId, `identity--${randomUUID()}`)
  await store.createApiRoot({
    id: randomUUID(),
    path: 'api1',
    title: 'benchmark',
    description: null,
    maxContentLength: 100 * 1024 * 1024,
    createdAt: now,
  })
  const root = await store.getApiRootByPath('api1')
  if (!root) throw new Error('the API root is missing')
  const collection: Collection = {
    id: randomUUID(),
    apiRootId: root.id,
    alias: 'bench',
    title: 'Sharing benchmark',
    description: null,
    mediaTypes: ['application/stix+json;version=2.1'],
    defaultDistribution: { scope: 'community', groups: [], recipients: [] },
    public: false,
    createdAt: now,
  }
  await store.createCollection(collection)
  // The viewer: a reader of the organisation in the median number of groups (not the node's).
  const byGroups = data.orgIds
    .slice(1)
    .map((id, i) => ({ id, index: i + 1, groups: data.groupsOf.get(id)?.length ?? 0 }))
    .sort((a, b) => a.groups - b.groups)
  const viewer = byGroups[Math.floor(byGroups.length / 2)]
  if (!viewer) throw new Error('no viewer organisation')
  await store.setCollectionGrant({
    collectionId: collection.id,
    subjectKind: 'org',
    subjectId: viewer.id,
    canRead: true,
    canWrite: false,
  })
  const userId = randomUUID()
  await store.createUser({
    id: userId,
    orgId: viewer.id,
    name: 'bench-reader',
    role: 'reader',
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
    label: 'benchmark',
    revoked: false,
    createdAt: now,
    lastUsedAt: null,
    peerId: null,
  })

  const started = Date.now()
  let rows = 0
  for (let n = 0; n < objects; n += BATCH) {
    const batch: NewObjectVersion[] = []
    for (let i = n; i < Math.min(objects, n + BATCH); i++) {
      batch.push(...versionsFor(i, next, data, collection))
    }
    await store.addObjects(batch, Date.now() * 1000)
    rows += batch.length
    if (n % 200_000 === 0 && n > 0) ctx.log(`  stored ${n} objects...`)
  }
  ctx.log(
    `stored ${objects} objects (${rows} versions) through store.addObjects in ${((Date.now() - started) / 1000).toFixed(1)} s; ${ORGS} organisations, ${GROUPS} groups; viewer: a reader of organisation ${viewer.index}, member of ${viewer.groups} groups`,
  )
  return {
    collection,
    authorization: `Bearer ${key.key}`,
    viewerOrgIndex: viewer.index,
    viewerOrgId: viewer.id,
    viewerGroups: viewer.groups,
    rows,
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

const agent = new Agent({ keepAlive: true, maxSockets: 2 })

interface Answer {
  status: number
  /** The whole body, or only its first bytes when asked for the head. */
  text: string
}

function get(url: string, authorization: string, headOnly: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: authorization, Accept: TAXII }
    const req = request(url, { method: 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = []
      let kept = 0
      res.on('data', (c: Buffer) => {
        if (!headOnly || kept < 4096) {
          chunks.push(c)
          kept += c.length
        }
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** `more` and `next` from the start of an envelope as the server writes it. */
const envelopeHead = /^\{"more":(true|false)(?:,"next":("(?:[^"\\]|\\.)*"))?[,}]/

interface Pass {
  objects: number
  pages: number
  ms: number
  serverCpuMs: number | undefined
}

/** CPU time (user + system, ms) of a process so far, from Linux's /proc (100 ticks a second). */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? ticks * 10 : undefined
  } catch {
    return undefined
  }
}

/**
 * Pages through the collection to the end. `full`: parses every envelope and checks that every
 * page but the last holds `PAGE` objects. Otherwise reads only `more`/`next` from each head and
 * counts a full page for each `more: true`, parsing only the last page.
 */
async function pageAll(
  objectsUrl: string,
  authorization: string,
  full: boolean,
  serverPid: number | undefined,
): Promise<Pass> {
  const cpuBefore = processCpuMs(serverPid)
  const started = process.hrtime.bigint()
  let next: string | undefined
  let objects = 0
  let pages = 0
  for (;;) {
    const url = `${objectsUrl}?limit=${PAGE}${next === undefined ? '' : `&next=${encodeURIComponent(next)}`}`
    const head = await get(url, authorization, !full)
    if (head.status !== 200) throw new Error(`GET page: ${head.status} ${head.text.slice(0, 300)}`)
    pages++
    const match = envelopeHead.exec(head.text)
    if (!match) throw new Error(`not an envelope head: ${head.text.slice(0, 200)}`)
    const more = match[1] === 'true'
    if (full || !more) {
      const text = full ? head.text : (await get(url, authorization, false)).text
      const page = JSON.parse(text) as { objects?: unknown[]; more?: boolean }
      const count = page.objects?.length ?? 0
      if (more && count !== PAGE) throw new Error(`a page with more=true holds ${count} objects`)
      objects += count
    } else {
      objects += PAGE
    }
    if (!more) break
    next = match[2] === undefined ? undefined : (JSON.parse(match[2]) as string)
    if (next === undefined) throw new Error('more=true without next')
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const cpuAfter = processCpuMs(serverPid)
  return {
    objects,
    pages,
    ms,
    serverCpuMs:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return 0
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

interface StorePass {
  objects: number
  ms: number
  cpuMs: number
}

/**
 * Pages the collection through the store directly (`queryObjectJson`, limit 1000, keyset) in
 * this process, with the viewer's visibility filter or without: the SQL's own cost, without
 * HTTP, envelopes or the audit log.
 */
async function storePass(
  store: Store,
  collectionId: string,
  visibility: VisibilityFilter | undefined,
): Promise<StorePass> {
  const cpuBefore = process.cpuUsage()
  const started = process.hrtime.bigint()
  let afterMicros: number | undefined
  let objects = 0
  for (;;) {
    const query: ObjectQuery = { collectionId, limit: PAGE }
    if (afterMicros !== undefined) query.afterMicros = afterMicros
    if (visibility !== undefined) query.visibility = visibility
    const page = await store.queryObjectJson(query)
    objects += page.json.length
    const last = page.dateAddedMicros.at(-1)
    if (!page.more || last === undefined) break
    afterMicros = last
  }
  const cpu = process.cpuUsage(cpuBefore)
  return {
    objects,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }
}

async function startServer(dbPath: string) {
  const child = fork(fileURLToPath(new URL('./sharing-server.ts', import.meta.url)), [dbPath], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ports = await new Promise<{ ruleOn: number; ruleOff: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { ruleOn: number; ruleOff: number }))
    child.once('exit', (code) => reject(new Error(`the benchmark server exited with ${code}`)))
  })
  return { child, ports }
}

export const sharingBenchmark: Benchmark = {
  name: 'sharing',
  description:
    'cost of the sharing rule: TAXII paging of 1,000,000 objects (50 organisations, 20 groups) as one user, rule on vs off',
  async run(ctx) {
    const objects = ctx.quick ? 20_000 : 1_000_000
    const passes = ctx.quick ? 2 : 5
    const dir = mkdtempSync(join(tmpdir(), 'intelmesh-sharing-bench-'))
    const dbPath = join(dir, 'intelmesh.db')
    try {
      const store = SqliteStore.open(dbPath)
      await store.migrate()
      const built = await build(store, objects, ctx)
      await store.close()

      const { child, ports } = await startServer(dbPath)
      try {
        const path = `/api1/collections/${built.collection.id}/objects/`
        const urls = {
          on: `http://127.0.0.1:${ports.ruleOn}${path}`,
          off: `http://127.0.0.1:${ports.ruleOff}${path}`,
        }
        // Checked passes: full parse, every page but the last full; also warms the caches.
        const checkedOn = await pageAll(urls.on, built.authorization, true, child.pid)
        const checkedOff = await pageAll(urls.off, built.authorization, true, child.pid)
        ctx.log(
          `checked passes (full parse): rule on ${checkedOn.objects} objects visible in ${checkedOn.pages} pages; rule off ${checkedOff.objects} objects in ${checkedOff.pages} pages`,
        )
        const on: Pass[] = []
        const off: Pass[] = []
        for (let p = 0; p < passes; p++) {
          // Alternate which goes first, so a drift in machine load hits both alike.
          const order: Array<'on' | 'off'> = p % 2 === 0 ? ['on', 'off'] : ['off', 'on']
          for (const which of order) {
            const pass = await pageAll(urls[which], built.authorization, false, child.pid)
            const expected = which === 'on' ? checkedOn.objects : checkedOff.objects
            if (pass.objects !== expected) {
              throw new Error(`pass ${p} (${which}) saw ${pass.objects} objects, not ${expected}`)
            }
            ;(which === 'on' ? on : off).push(pass)
            ctx.log(
              `pass ${p + 1} rule ${which}: ${ratePerSecond(pass.objects, pass.ms)} objects/s (${(pass.ms / 1000).toFixed(1)} s, server CPU ${pass.serverCpuMs ?? '?'} ms)`,
            )
          }
        }
        const rate = (list: Pass[]) =>
          Math.round(median(list.map((p) => ratePerSecond(p.objects, p.ms))))
        const cpuPer1000 = (list: Pass[]) => {
          const values = list
            .map((p) =>
              p.serverCpuMs === undefined ? undefined : (p.serverCpuMs / p.objects) * 1000,
            )
            .filter((v): v is number => v !== undefined)
          return values.length === 0 ? null : Number(median(values).toFixed(2))
        }
        const rateOn = rate(on)
        const rateOff = rate(off)
        const ratio = Number((rateOn / rateOff).toFixed(3))
        const cpuOn = cpuPer1000(on)
        const cpuOff = cpuPer1000(off)
        const cpuRatio =
          cpuOn === null || cpuOff === null ? null : Number((cpuOff / cpuOn).toFixed(3))
        ctx.log(
          `rule on (a): ${rateOn} visible objects/s (median of ${passes}); rule off (b): ${rateOff} objects/s; ratio (a)/(b) = ${ratio} (target >= 0.7)`,
        )
        ctx.log(
          `rows scanned: both walk all ${built.rows} stored versions of ${objects} objects once; (a) delivers ${checkedOn.objects} (${((checkedOn.objects / checkedOff.objects) * 100).toFixed(1)}% of (b)): ${(built.rows / checkedOn.objects).toFixed(2)} rows scanned per object delivered, (b) ${checkedOff.objects}: ${(built.rows / checkedOff.objects).toFixed(2)}`,
        )
        ctx.log(
          `server CPU per 1,000 objects: (a) ${cpuOn ?? '?'} ms, (b) ${cpuOff ?? '?'} ms; CPU-based ratio ${cpuRatio ?? '?'} (load average ${loadavg()[0]?.toFixed(2) ?? '?'} on ${availableParallelism()} cores)`,
        )
        // The same paging through the store alone, in this process (the server is idle).
        const reader = SqliteStore.open(dbPath)
        const viewer: Viewer = {
          kind: 'user',
          orgId: built.viewerOrgId,
          role: 'reader',
          isNodeAdmin: false,
        }
        const visibility = await visibilityFilterOf(reader, viewer, built.collection)
        const storeOn: StorePass[] = []
        const storeOff: StorePass[] = []
        try {
          for (let p = 0; p < passes; p++) {
            const order = p % 2 === 0 ? [true, false] : [false, true]
            for (const filtered of order) {
              const pass = await storePass(
                reader,
                built.collection.id,
                filtered ? visibility : undefined,
              )
              const expected = filtered ? checkedOn.objects : checkedOff.objects
              if (pass.objects !== expected) {
                throw new Error(`store pass saw ${pass.objects} objects, TAXII ${expected}`)
              }
              ;(filtered ? storeOn : storeOff).push(pass)
            }
          }
        } finally {
          await reader.close()
        }
        const storeRate = (list: StorePass[]) =>
          Math.round(median(list.map((p) => ratePerSecond(p.objects, p.ms))))
        const storeCpuRate = (list: StorePass[]) =>
          Math.round(median(list.map((p) => ratePerSecond(p.objects, p.cpuMs))))
        const storeFigures = {
          ruleOnVisibleObjectsPerSecond: storeRate(storeOn),
          ruleOffObjectsPerSecond: storeRate(storeOff),
          ratio: Number((storeRate(storeOn) / storeRate(storeOff)).toFixed(3)),
          ruleOnVisibleObjectsPerCpuSecond: storeCpuRate(storeOn),
          ruleOffObjectsPerCpuSecond: storeCpuRate(storeOff),
          cpuRatio: Number((storeCpuRate(storeOn) / storeCpuRate(storeOff)).toFixed(3)),
        }
        ctx.log(
          `store alone (queryObjectJson, limit 1000, same viewer, in process): filter on ${storeFigures.ruleOnVisibleObjectsPerSecond} visible objects/s, off ${storeFigures.ruleOffObjectsPerSecond} objects/s, ratio ${storeFigures.ratio}; per CPU second ${storeFigures.ruleOnVisibleObjectsPerCpuSecond} vs ${storeFigures.ruleOffObjectsPerCpuSecond}, ratio ${storeFigures.cpuRatio}`,
        )
        return {
          objects,
          storedVersions: built.rows,
          organisations: ORGS,
          sharingGroups: GROUPS,
          viewer: {
            organisation: built.viewerOrgIndex,
            groups: built.viewerGroups,
            role: 'reader',
          },
          pageSize: PAGE,
          passes,
          visibleObjectsRuleOn: checkedOn.objects,
          objectsRuleOff: checkedOff.objects,
          rowsScanned: built.rows,
          rowsScannedPerObjectDelivered: {
            ruleOn: Number((built.rows / checkedOn.objects).toFixed(3)),
            ruleOff: Number((built.rows / checkedOff.objects).toFixed(3)),
          },
          ruleOnVisibleObjectsPerSecond: rateOn,
          ruleOffObjectsPerSecond: rateOff,
          ratio,
          serverCpuMsPer1000Objects: { ruleOn: cpuOn, ruleOff: cpuOff, ratio: cpuRatio },
          passesRuleOn: on.map((p) => ({
            objectsPerSecond: ratePerSecond(p.objects, p.ms),
            serverCpuMs: p.serverCpuMs,
          })),
          passesRuleOff: off.map((p) => ({
            objectsPerSecond: ratePerSecond(p.objects, p.ms),
            serverCpuMs: p.serverCpuMs,
          })),
          storeOnly: storeFigures,
          targets: { ratioAtLeast0_7: ratio >= 0.7 },
        }
      } finally {
        child.kill('SIGTERM')
      }
    } finally {
      agent.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
