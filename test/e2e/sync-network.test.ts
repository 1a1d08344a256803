/**
 * Federation over real sockets, the network as a whole (issue 6): a ring of three nodes goes
 * quiet, deletions travel as tombstones, a peer that fails or hangs never stops the others,
 * and a peer sending invalid STIX cannot put it in the store.
 */
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { addPeer, peerStatus, syncAll, syncPeer, type SyncReport } from '../../src/sync/index.js'
import { TAXII_MEDIA_TYPE, TaxiiClient, TaxiiHttpError } from '../../src/taxii/client/index.js'
import { serveApp, type ServedApp } from '../helpers/serve.js'
import {
  TLP,
  holdings,
  identity,
  indicator,
  link,
  publish,
  report,
  startNode,
  type TestNode,
} from './sync-nodes.js'

const nodes: TestNode[] = []
const servers: ServedApp[] = []
async function node(name: string): Promise<TestNode> {
  const started = await startNode(name)
  nodes.push(started)
  return started
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
  for (const n of nodes.splice(0)) await n.close()
})

function expectOk(reports: readonly SyncReport[]): void {
  for (const r of reports) expect(r.errors, `${r.peerName}: ${r.errors.join('\n')}`).toEqual([])
}

const moved = (reports: readonly SyncReport[]): number =>
  reports.reduce((sum, r) => sum + r.pulled + r.pushed, 0)

describe('a ring of three nodes syncing both ways', () => {
  it('brings every object to every node once, and a second round moves nothing', async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    await link(a, b)
    await link(b, c)
    await link(c, a)
    const author = identity()
    const ind = indicator({ created_by_ref: author['id'] })
    await publish(a, [author, ind, report([ind['id'] as string])])
    await publish(b, [indicator()])
    await publish(c, [indicator(), indicator()])

    const round = async (): Promise<number> => {
      let total = 0
      for (const n of [a, b, c]) {
        const reports = await syncAll({ store: n.store })
        expectOk(reports)
        total += moved(reports)
      }
      return total
    }
    // Two rounds carry an object two hops; then nothing moves.
    expect(await round()).toBeGreaterThan(0)
    await round()
    expect(await round()).toBe(0)
    const atA = await holdings(a)
    expect(atA.length).toBe(6)
    expect(await holdings(b)).toEqual(atA)
    expect(await holdings(c)).toEqual(atA)
    for (const n of [a, b, c]) expect(await n.store.countObjects(n.collection.id)).toBe(6)
  })
})

describe('tombstones', () => {
  it('carries a deletion at the origin to a peer that pulls, which records it as applied', async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    const ab = await link(a, b)
    const bc = await link(b, c)
    const doomed = indicator()
    const kept = indicator()
    await publish(a, [doomed, kept])
    expectOk([await syncPeer({ store: b.store }, ab.toPeer)])
    expectOk([await syncPeer({ store: c.store }, bc.toPeer)])
    expect((await holdings(c)).length).toBe(2)

    await a.client.deleteObject('api1', a.collection.id, doomed['id'] as string)
    const [tombstone] = await a.store.peers.listTombstones(0, 10)
    expect(tombstone).toMatchObject({ objectId: doomed['id'], versions: null, originPeer: null })

    // B learns it by pull from A, and C from B.
    const atB = await syncPeer({ store: b.store }, ab.toPeer)
    expectOk([atB])
    expect(atB.tombstones.pulled).toBe(1)
    expect(await b.store.getObjectVersions(b.collection.id, doomed['id'] as string)).toEqual([])
    const atC = await syncPeer({ store: c.store }, bc.toPeer)
    expectOk([atC])
    expect(atC.tombstones.pulled).toBe(1)
    expect((await holdings(c)).map((h) => h.split('@')[0])).toEqual([kept['id']])
    // B's push of the tombstone to C finds nothing left there.
    const push = await syncPeer({ store: b.store }, bc.fromPeer, { directions: ['push'] })
    expectOk([push])
    const status = await peerStatus(b.store, 'c')
    expect(status.tombstones.map((t) => t.outcome)).toEqual(['absent'])
  })

  it("never deletes the peer's own copy: a pushed tombstone reaches only what came from the origin", async () => {
    const a = await node('a')
    const b = await node('b')
    const ab = await link(a, b)
    const shared = indicator()
    // The same object published at both nodes on their own (not received from each other).
    await publish(a, [shared])
    await publish(b, [shared])
    const before = await holdings(b)
    await a.client.deleteObject('api1', a.collection.id, shared['id'] as string)
    // B's copy is B's own, visible to A's key (federation), yet not A's to delete.
    const run = await syncPeer({ store: a.store }, ab.fromPeer, { directions: ['push'] })
    expectOk([run])
    expect(run.tombstones.pushed).toBe(1)
    const status = await peerStatus(a.store, 'b')
    expect(status.tombstones).toEqual([expect.objectContaining({ seq: 1, outcome: 'absent' })])
    expect(await holdings(b)).toEqual(before)
  })

  it('applies a tombstone pushed by the origin to the versions that came from it (outcome applied)', async () => {
    const a = await node('a')
    const b = await node('b')
    const ab = await link(a, b)
    const doomed = indicator({}, TLP.red)
    const kept = indicator()
    const twice = indicator()
    const twiceLater = { ...twice, modified: '2027-03-01T00:00:00.000Z' }
    // RED needs named recipients at A: B's organisation there.
    const named = {
      x_intelmesh_sharing: { distribution: 'organisation', recipients: [ab.fromOrgId] },
    }
    await publish(a, [{ ...doomed, ...named }, kept, twice, twiceLater])
    const first = await syncPeer({ store: a.store }, ab.fromPeer, { directions: ['push'] })
    expectOk([first])
    expect(first.pushed).toBe(4)

    await a.client.deleteObject('api1', a.collection.id, doomed['id'] as string)
    await a.client.deleteObject('api1', a.collection.id, twice['id'] as string, {
      version: [twice['modified'] as string],
    })
    const run = await syncPeer({ store: a.store }, ab.fromPeer, { directions: ['push'] })
    expectOk([run])
    expect(run.tombstones.pushed).toBe(2)
    const status = await peerStatus(a.store, 'b')
    expect(status.tombstones.map((t) => [t.outcome, t.message])).toEqual([
      ['applied', null],
      ['applied', null],
    ])
    expect(await holdings(b)).toEqual(await holdings(a))
    expect((await holdings(b)).sort()).toEqual(
      [
        `${kept['id'] as string}@${kept['modified'] as string}`,
        `${twice['id'] as string}@2027-03-01T00:00:00.000Z`,
      ].sort(),
    )
    // B records them as deletions by A, so they travel on but never back to A.
    const atB = await b.store.peers.listTombstones(0, 10)
    expect(atB.map((t) => [t.objectId, t.versions, t.originPeer])).toEqual([
      [doomed['id'], null, ab.toPeer.id],
      [twice['id'], [twice['modified']], ab.toPeer.id],
    ])
  })

  it("lets a peer's DELETE reach only the versions it sent or may see; the rest stays and answers 404", async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    const ab = await link(a, b)
    const cb = await link(c, b)
    // One object with a version from A (pushed) and a later AMBER one from C (pulled by B),
    // which B never lets A see (PEER_NO_ONWARD).
    const mixed = indicator()
    const fromC = { ...mixed, modified: '2027-04-01T00:00:00.000Z' }
    await publish(a, [mixed])
    await publish(c, [{ ...fromC, object_marking_refs: [TLP.amber] }])
    // B's own object for its organisation only: hidden from A (PEER_NOT_FEDERATED).
    const local = indicator({ x_intelmesh_sharing: { distribution: 'organisation' } })
    await publish(b, [local])
    expectOk([await syncPeer({ store: a.store }, ab.fromPeer, { directions: ['push'] })])
    expectOk([await syncPeer({ store: b.store }, cb.toPeer, { directions: ['pull'] })])
    expect(
      (await b.store.getObjectVersions(b.collection.id, mixed['id'] as string)).map((v) => [
        v.version,
        v.originPeer,
      ]),
    ).toEqual([
      [mixed['modified'], ab.toPeer.id],
      [fromC.modified, cb.toPeer.id],
    ])

    const auth = ab.fromPeer.auth
    if (auth.kind !== 'bearer') throw new Error('link issues bearer keys')
    const asA = new TaxiiClient({ url: b.served.baseUrl, auth: { bearer: auth.token }, retries: 0 })
    try {
      const notFound = await asA.deleteObject('api1', b.collection.id, local['id'] as string).then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(notFound).toBeInstanceOf(TaxiiHttpError)
      expect((notFound as TaxiiHttpError).status).toBe(404)
      await asA.deleteObject('api1', b.collection.id, mixed['id'] as string)
    } finally {
      asA.close()
    }
    expect(await holdings(b)).toEqual(
      [
        `${local['id'] as string}@${local['modified'] as string}`,
        `${mixed['id'] as string}@${fromC.modified}`,
      ].sort(),
    )
    const [tombstone] = await b.store.peers.listTombstones(0, 10)
    expect(tombstone).toMatchObject({
      objectId: mixed['id'],
      versions: [mixed['modified']],
      originPeer: ab.toPeer.id,
    })
  })

  it('does not apply tombstones for a peer whose applyTombstones is off', async () => {
    const a = await node('a')
    const b = await node('b')
    const ab = await link(a, b, { toSide: { applyTombstones: false } })
    const doomed = indicator()
    await publish(a, [doomed])
    expectOk([await syncPeer({ store: b.store }, ab.toPeer)])
    await a.client.deleteObject('api1', a.collection.id, doomed['id'] as string)
    const run = await syncPeer({ store: b.store }, ab.toPeer)
    expectOk([run])
    expect(run.tombstones.pulled).toBe(0)
    expect((await holdings(b)).length).toBe(1)
  })
})

describe('faults', () => {
  it('records a peer answering 500 and still syncs the other peers', async () => {
    const a = await node('a')
    const b = await node('b')
    const ab = await link(a, b)
    await publish(b, [indicator()])
    const broken = new Hono()
    let calls = 0
    broken.all('*', (ctx) => {
      calls += 1
      return ctx.json({ title: 'boom' }, 500)
    })
    const served = await serveApp(broken)
    servers.push(served)
    await addPeer(a.store, {
      name: 'broken',
      url: `${served.baseUrl}/api1/`,
      auth: { kind: 'none' },
      org: ab.fromOrgId,
      maps: [{ local: a.collection.alias, remote: 'x' }],
      direction: 'pull',
      applyTombstones: false,
    })
    const reports = await syncAll(
      { store: a.store, client: { retries: 1, retryBaseDelayMs: 1, maxRetryDelayMs: 5 } },
      { directions: ['pull'] },
    )
    const byName = new Map(reports.map((r) => [r.peerName, r]))
    expect(byName.get('b')?.ok).toBe(true)
    expect(byName.get('b')?.pulled).toBe(1)
    expect(byName.get('broken')?.ok).toBe(false)
    expect(byName.get('broken')?.errors.join()).toMatch(/500/)
    expect(calls).toBe(2)
    const status = await peerStatus(a.store, 'broken')
    expect(status.errors.join()).toMatch(/500/)
  })

  it('gives up on a peer that hangs after the timeout, without holding up the others', async () => {
    const a = await node('a')
    const b = await node('b')
    const ab = await link(a, b)
    await publish(b, [indicator()])
    const hanging = new Hono()
    hanging.all('*', () => new Promise<Response>(() => undefined))
    const served = await serveApp(hanging)
    servers.push(served)
    await addPeer(a.store, {
      name: 'hangs',
      url: `${served.baseUrl}/api1/`,
      auth: { kind: 'none' },
      org: ab.fromOrgId,
      maps: [{ local: a.collection.alias, remote: 'x' }],
      direction: 'pull',
    })
    const started = Date.now()
    const reports = await syncAll(
      { store: a.store, client: { timeoutMs: 300, retries: 0 } },
      { directions: ['pull'] },
    )
    expect(Date.now() - started).toBeLessThan(5000)
    const byName = new Map(reports.map((r) => [r.peerName, r]))
    expect(byName.get('b')?.pulled).toBe(1)
    expect(byName.get('hangs')?.ok).toBe(false)
  })

  it("keeps every pushed envelope under the peer's max_content_length, and records per-object refusals", async () => {
    const a = await node('a')
    const objects = Array.from({ length: 12 }, () => indicator())
    await publish(a, objects)
    const limit = 2500
    const sizes: number[] = []
    const refused = objects[3]?.['id'] as string
    const fake = new Hono()
    const taxii = { 'Content-Type': TAXII_MEDIA_TYPE }
    fake.get('/api1/', (ctx) =>
      ctx.body(
        JSON.stringify({
          title: 'fake',
          versions: ['application/taxii+json;version=2.1'],
          max_content_length: limit,
        }),
        200,
        taxii,
      ),
    )
    fake.post('/api1/collections/:id/objects/', async (ctx) => {
      const body = await ctx.req.text()
      sizes.push(Buffer.byteLength(body))
      const sent = (JSON.parse(body) as { objects: Array<{ id: string; modified: string }> })
        .objects
      const ok = sent.filter((o) => o.id !== refused)
      const bad = sent.filter((o) => o.id === refused)
      const status = {
        id: `status-${sizes.length}`,
        status: 'complete',
        total_count: sent.length,
        success_count: ok.length,
        ...(ok.length > 0 ? { successes: ok.map((o) => ({ id: o.id, version: o.modified })) } : {}),
        failure_count: bad.length,
        ...(bad.length > 0
          ? { failures: bad.map((o) => ({ id: o.id, version: o.modified, message: 'no thanks' })) }
          : {}),
        pending_count: 0,
      }
      return ctx.body(JSON.stringify(status), 202, taxii)
    })
    const served = await serveApp(fake)
    servers.push(served)
    const org = await a.admin.addOrganisation('org-of-fake')
    const peer = await addPeer(a.store, {
      name: 'small',
      url: `${served.baseUrl}/api1/`,
      auth: { kind: 'none' },
      org: org.id,
      maps: [{ local: a.collection.alias, remote: 'c1' }],
      direction: 'push',
      applyTombstones: false,
    })
    const lines: string[] = []
    const run = await syncPeer({ store: a.store, log: (line) => lines.push(line) }, peer)
    expect(run.errors).toEqual([])
    expect(run.pushed).toBe(11)
    expect(run.collections[0]?.failed).toBe(1)
    expect(lines.join('\n')).toContain(`refused ${refused}`)
    expect(sizes.length).toBeGreaterThan(1)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(limit)
    expect((await a.store.peers.listCursors(peer.id))[0]?.position).toBe(
      String(
        (await a.store.getObjectVersions(a.collection.id, objects[11]?.['id'] as string))[0]
          ?.dateAddedMicros,
      ),
    )
  })

  it('stops on a peer that answers the same page over and over', async () => {
    const a = await node('a')
    const looping = indicator()
    let calls = 0
    const fake = new Hono()
    fake.get('/api1/collections/:id/objects/', (ctx) => {
      calls += 1
      return ctx.body(JSON.stringify({ objects: [looping], more: true, next: 'again' }), 200, {
        'Content-Type': TAXII_MEDIA_TYPE,
        'X-TAXII-Date-Added-Last': '2026-01-01T00:00:01.000000Z',
      })
    })
    const served = await serveApp(fake)
    servers.push(served)
    const org = await a.admin.addOrganisation('org-of-loop')
    const peer = await addPeer(a.store, {
      name: 'loop',
      url: `${served.baseUrl}/api1/`,
      auth: { kind: 'none' },
      org: org.id,
      maps: [{ local: a.collection.alias, remote: 'c1' }],
      direction: 'pull',
      applyTombstones: false,
    })
    const run = await syncPeer({ store: a.store }, peer)
    expect(run.ok).toBe(false)
    expect(run.errors.join()).toMatch(/same page twice/)
    expect(calls).toBe(2)
    expect(run.pulled).toBe(1)
  })

  it('counts and logs invalid STIX from a peer and stores only the valid objects', async () => {
    const a = await node('a')
    const valid = indicator()
    const invalid: Record<string, unknown> = {
      ...indicator(),
      pattern_type: undefined,
      valid_from: 'yesterday',
    }
    const fake = new Hono()
    fake.get('/api1/collections/:id/objects/', (ctx) =>
      ctx.body(JSON.stringify({ objects: [invalid, valid], more: false }), 200, {
        'Content-Type': TAXII_MEDIA_TYPE,
        'X-TAXII-Date-Added-First': '2026-01-01T00:00:00.000000Z',
        'X-TAXII-Date-Added-Last': '2026-01-01T00:00:01.000000Z',
      }),
    )
    const served = await serveApp(fake)
    servers.push(served)
    const org = await a.admin.addOrganisation('org-of-fake')
    const peer = await addPeer(a.store, {
      name: 'fake',
      url: `${served.baseUrl}/api1/`,
      auth: { kind: 'none' },
      org: org.id,
      maps: [{ local: a.collection.alias, remote: 'c1' }],
      direction: 'pull',
      applyTombstones: false,
    })
    const lines: string[] = []
    const run = await syncPeer({ store: a.store, log: (line) => lines.push(line) }, peer)
    expect(run.ok).toBe(true)
    expect(run.pulled).toBe(1)
    expect(run.invalid).toBe(1)
    expect(await holdings(a)).toEqual([`${valid['id'] as string}@${valid['modified'] as string}`])
    expect(lines.join('\n')).toContain(`invalid object ${invalid['id'] as string}`)
    expect(lines.join('\n')).toMatch(/valid_from|pattern_type/)
    expect((await peerStatus(a.store, 'fake')).invalidTotal).toBe(1)
  })
})
