/**
 * Three intelmesh nodes as separate processes on 127.0.0.1 (issue 6, "Tests"): A and B on
 * SQLite, C on PostgreSQL (on SQLite, with a warning, when no PostgreSQL is available). Peers
 * are configured through the CLI against each node's database and synced with
 * `intelmesh sync --once` processes, first in a star around A, then in a ring A-B-C.
 *
 * - A report published at A (identity, indicators, malware, relationship) reaches B and C with
 *   every version; a revoked version (STIX 2.1 section 3.6.2) propagates like any version.
 * - TLP:RED naming B's organisation reaches B only: B never forwards it (PEER_NO_ONWARD).
 * - Object counts are exact at each node; a second round moves nothing; in the ring every
 *   object arrives once per node and the sync goes quiet (DESIGN.md, Federation: no loops).
 * - A deletion at the origin travels as a tombstone that the other nodes apply.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest'
import {
  TLP,
  adminCli,
  adminJson,
  allVersions,
  connect,
  newVersion,
  printOutputs,
  publish,
  reportSet,
  seed,
  startFedNode,
  syncOnce,
  versionKeys,
  type FedNode,
  type SyncRun,
} from './federation-harness.js'
import { bearer, http } from './node-harness.js'

const pgUrl = inject('pgUrl')
const pgSkipReason = inject('pgSkipReason')
if (!pgUrl) {
  console.warn(
    `federation-ring: node C runs on SQLite, its PostgreSQL variant is skipped: ${pgSkipReason || 'no PostgreSQL'}`,
  )
}

let dir: string
let dbName = ''
const nodes: FedNode[] = []

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intelmesh-federation-'))
  if (pgUrl) {
    dbName = `intelmesh_fed_${randomBytes(4).toString('hex')}`
    await pgAdmin(`CREATE DATABASE ${dbName}`)
  }
})

afterAll(async () => {
  for (const node of nodes) node.process.child.kill('SIGKILL')
  await Promise.all(nodes.map((n) => n.process.exited))
  if (dbName) await pgAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  rmSync(dir, { recursive: true, force: true })
})

function pgDbUrl(): string {
  const url = new URL(pgUrl)
  url.pathname = `/${dbName}`
  return url.toString()
}

/** Moved counts of a sync run per peer: `{ peer: [pulled, pushed] }`, failing on any error. */
function moved(run: SyncRun): Record<string, [number, number]> {
  if (run.code !== 0) throw new Error(`sync failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
  for (const report of run.reports) {
    expect(report.errors, report.peerName).toEqual([])
    expect(report.skipped, report.peerName).toBe(false)
  }
  return Object.fromEntries(run.reports.map((r) => [r.peerName, [r.pulled, r.pushed]]))
}

describe('three nodes syncing in a star, then in a ring', { timeout: 300_000 }, () => {
  it('moves each version once to each node entitled to it, and then goes quiet', async () => {
    onTestFailed(() => printOutputs(nodes))
    const a = await startFedNode('node-a', `sqlite:${join(dir, 'a.db')}`)
    nodes.push(a)
    const b = await startFedNode('node-b', `sqlite:${join(dir, 'b.db')}`)
    nodes.push(b)
    const c = await startFedNode('node-c', pgUrl ? pgDbUrl() : `sqlite:${join(dir, 'c.db')}`)
    nodes.push(c)

    // The star: A is the hub; the spokes pull from it and push to it, the hub only pulls.
    await connect(a, b, { xDirection: 'pull' })
    await connect(a, c, { xDirection: 'pull' })

    // Published at A: a report with what it references, a second version of one indicator,
    // and a TLP:RED note for node B's organisation only (named recipient, issue 5).
    const set = reportSet('Star')
    const [first] = set.indicators
    if (!first) throw new Error('no indicator')
    const firstV2 = newVersion(first, 10, { name: 'Star C2 0 (confirmed)' })
    await publish(a, [...set.all, firstV2])
    const orgBOnA = (await adminJson<{ id: string; name: string }[]>(a, ['org', 'list'])).find(
      (o) => o.name === b.name,
    )
    if (!orgBOnA) throw new Error('node-b has no organisation on node-a')
    const red = {
      type: 'note',
      spec_version: '2.1',
      id: `note--${randomUUID()}`,
      created: '2026-01-01T01:00:00.000Z',
      modified: '2026-01-01T01:00:00.000Z',
      content: 'For node B only',
      object_refs: [set.report['id']],
      object_marking_refs: [TLP.red],
    }
    await seed(a, a.sharedId, [red], {
      scope: 'organisation',
      groups: [],
      recipients: [orgBOnA.id],
    })
    const publishedAtA = versionKeys(await allVersions(a, a.sharedId))
    expect(publishedAtA).toHaveLength(set.all.length + 2)

    // The spokes pull from the hub, and push nothing back (PEER_ECHO).
    expect(moved(await syncOnce(b))).toEqual({ [a.name]: [set.all.length + 2, 0] })
    expect(moved(await syncOnce(c))).toEqual({ [a.name]: [set.all.length + 1, 0] })
    const atB = versionKeys(await allVersions(b, b.sharedId))
    const atC = versionKeys(await allVersions(c, c.sharedId))
    expect(atB).toEqual(publishedAtA)
    expect(atC).toEqual(publishedAtA.filter((k) => !k.startsWith(red.id)))
    // The hub pulls from the spokes: they hold nothing it may get back.
    expect(moved(await syncOnce(a))).toEqual({ [b.name]: [0, 0], [c.name]: [0, 0] })
    // A second round moves nothing.
    expect(moved(await syncOnce(b))).toEqual({ [a.name]: [0, 0] })
    expect(moved(await syncOnce(c))).toEqual({ [a.name]: [0, 0] })

    // A revoked version propagates like any version.
    const revoked = newVersion(firstV2, 20, { revoked: true })
    await publish(a, [revoked])
    expect(moved(await syncOnce(b))).toEqual({ [a.name]: [1, 0] })
    expect(moved(await syncOnce(c))).toEqual({ [a.name]: [1, 0] })
    const revokedKey = `${String(revoked['id'])}@${String(revoked['modified'])}`
    for (const node of [b, c]) {
      const versions = await allVersions(node, node.sharedId)
      expect(versionKeys(versions)).toContain(revokedKey)
      const stored = versions.find((v) => `${v.id}@${v.version}` === revokedKey)
      expect(stored?.revoked).toBe(true)
      expect(stored?.originPeer).not.toBeNull()
    }
    expect(moved(await syncOnce(a))).toEqual({ [b.name]: [0, 0], [c.name]: [0, 0] })

    // The ring: B and C connect too. C publishes; everything reaches everyone entitled once.
    await connect(b, c)
    const previewBtoC = await adminJson<{
      items: Array<{ id: string; send: boolean; rule: string }>
    }>(b, ['peer', 'preview', c.name])
    // What B's first push to C would send and hold back, with the deciding rule: what came
    // from A at GREEN goes on (FEDERATION_PEER), the RED note never does (PEER_NO_ONWARD).
    expect(previewBtoC.items.filter((i) => !i.send)).toEqual([
      expect.objectContaining({ id: red.id, rule: 'PEER_NO_ONWARD' }),
    ])
    expect(previewBtoC.items.filter((i) => i.send)).toHaveLength(set.all.length + 2)
    expect(new Set(previewBtoC.items.filter((i) => i.send).map((i) => i.rule))).toEqual(
      new Set(['FEDERATION_PEER']),
    )
    const ringSet = reportSet('Ring', 1)
    await publish(c, ringSet.all)
    // C pushes its report to both neighbours, and pulls from B only what it has already.
    expect(moved(await syncOnce(c))).toEqual({
      [a.name]: [0, ringSet.all.length],
      [b.name]: [0, ringSet.all.length],
    })
    for (const node of [b, a, c, b, a]) {
      const run = await syncOnce(node)
      expect(run.code, `${node.name}:\n${run.stdout}${run.stderr}`).toBe(0)
    }
    const expectedAll = [...publishedAtA, revokedKey, ...versionKeys(ringSet.all.map(asVersion))]
    expectedAll.sort()
    expect(versionKeys(await allVersions(a, a.sharedId))).toEqual(expectedAll)
    expect(versionKeys(await allVersions(b, b.sharedId))).toEqual(expectedAll)
    expect(versionKeys(await allVersions(c, c.sharedId))).toEqual(
      expectedAll.filter((k) => !k.startsWith(red.id)),
    )

    // Retraction travels: C deletes its malware (TAXII 2.1 section 5.7); C's push applies the
    // tombstone at A and B (a peer's DELETE reaches the versions that came from it).
    const gone = String(ringSet.malware['id'])
    const deleted = await http(
      'DELETE',
      `${c.apiRoot}collections/${c.sharedId}/objects/${gone}/`,
      bearer(c.adminKey),
    )
    expect(deleted.status).toBe(200)
    for (const node of [c, b, a]) {
      const run = await syncOnce(node)
      expect(run.code, `${node.name}:\n${run.stdout}${run.stderr}`).toBe(0)
    }
    const withoutGone = expectedAll.filter((k) => !k.startsWith(`${gone}@`))
    expect(withoutGone).toHaveLength(expectedAll.length - 1)
    expect(versionKeys(await allVersions(a, a.sharedId))).toEqual(withoutGone)
    expect(versionKeys(await allVersions(b, b.sharedId))).toEqual(withoutGone)
    expect(versionKeys(await allVersions(c, c.sharedId))).toEqual(
      withoutGone.filter((k) => !k.startsWith(red.id)),
    )
    for (const node of [a, b]) {
      const atC = await adminJson<{ tombstones: Array<{ seq: number; outcome: string }> }>(c, [
        'peer',
        'status',
        node.name,
      ])
      expect(atC.tombstones.map((t) => [t.seq, t.outcome])).toEqual([[1, 'applied']])
      // Their pull of C's tombstones reads it too, and finds nothing left to delete.
      const cursors = await adminJson<{
        cursors: Array<{ direction: string; position: string | null; movedTotal: number }>
      }>(node, ['peer', 'status', c.name])
      expect(cursors.cursors.find((cur) => cur.direction === 'tombstone-pull')).toMatchObject({
        position: '1',
        movedTotal: 0,
      })
    }

    // Quiet: another full round moves nothing anywhere.
    for (const node of [a, b, c]) {
      const counts = moved(await syncOnce(node))
      for (const [peer, [pulled, pushed]] of Object.entries(counts)) {
        expect({ node: node.name, peer, pulled, pushed }).toEqual({
          node: node.name,
          peer,
          pulled: 0,
          pushed: 0,
        })
      }
    }

    // peer status tells the admin where each peer stands.
    const status = await adminJson<{
      lastRunAt: string | null
      movedTotal: number
      lagMicros: number | null
      errors: string[]
      cursors: Array<{ direction: string }>
    }>(b, ['peer', 'status', a.name])
    expect(status.lastRunAt).not.toBeNull()
    expect(status.errors).toEqual([])
    expect(status.lagMicros).toBe(0)
    expect(status.cursors.map((cur) => cur.direction)).toEqual(
      expect.arrayContaining(['pull', 'push']),
    )
    const text = await adminCli(b, ['peer', 'status', a.name])
    expect(text.stdout).toMatch(/lag\s+0 s \(caught up\)/)
  })
})

function asVersion(object: Record<string, unknown>): { id: string; version: string } {
  return { id: String(object['id']), version: String(object['modified']) }
}
