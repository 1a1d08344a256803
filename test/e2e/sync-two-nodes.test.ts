/**
 * Federation between in-process nodes over real sockets (issue 6, "Peers and sync"): pull,
 * push, resume, idempotency, the peer rows of the sharing rule, TLP:RED, revocation, the
 * dependency closure and dangling references.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { AuditLog } from '../../src/audit/audit-log.js'
import {
  findPeer,
  peerStatus,
  previewPeer,
  syncPeer,
  type SyncReport,
} from '../../src/sync/index.js'
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
async function node(name: string): Promise<TestNode> {
  const started = await startNode(name)
  nodes.push(started)
  return started
}

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close()
})

function expectOk(result: SyncReport): void {
  expect(result.errors, result.errors.join('\n')).toEqual([])
  expect(result.ok).toBe(true)
}

const pullOnly = { directions: ['pull'] as const }
const pushOnly = { directions: ['push'] as const }

describe('sync between two nodes', () => {
  it('pulls a report with its objects, published at B as the peer organisation, and a second run moves nothing', async () => {
    const a = await node('a')
    const b = await node('b')
    const { toPeer: aAtB, toOrgId } = await link(a, b)
    const author = identity()
    const ind = indicator({ created_by_ref: author['id'] })
    const rep = report([ind['id'] as string], { created_by_ref: author['id'] })
    await publish(a, [author, ind, rep])

    const first = await syncPeer({ store: b.store }, aAtB, pullOnly)
    expectOk(first)
    expect(first.pulled).toBe(3)
    expect(await holdings(b)).toEqual(await holdings(a))
    const stored = await b.store.getObjectVersions(b.collection.id, rep['id'] as string)
    expect(stored[0]?.originPeer).toBe(aAtB.id)
    expect(stored[0]?.publisherOrgId).toBe(toOrgId)
    // GREEN from a peer may go on to the federation (see src/sync/inbound.ts).
    expect(stored[0]?.distribution.scope).toBe('federation')

    const audited = []
    for await (const entry of new AuditLog(b.store).list({ actorKind: 'peer', action: 'write' })) {
      audited.push(entry)
    }
    expect(audited).toHaveLength(1)
    expect(audited[0]?.actor).toEqual({ kind: 'peer', id: aAtB.id })
    expect(audited[0]?.objectIds.sort()).toEqual(
      [author['id'], ind['id'], rep['id']].map(String).sort(),
    )

    const second = await syncPeer({ store: b.store }, aAtB, pullOnly)
    expectOk(second)
    expect(second.pulled).toBe(0)
    const status = await peerStatus(b.store, 'a')
    expect(status.movedTotal).toBe(3)
    expect(status.errors).toEqual([])
    expect(status.lagMicros).toBe(0)
  })

  it('pushes to the peer, which stores the objects with this node as their origin', async () => {
    const a = await node('a')
    const b = await node('b')
    const { fromPeer: bAtA, toPeer: aAtB } = await link(a, b)
    const first = indicator()
    const objects = [first, indicator(), report([first['id'] as string])]
    await publish(a, objects)

    const run = await syncPeer({ store: a.store }, bAtA, pushOnly)
    expectOk(run)
    expect(run.pushed).toBe(3)
    expect(await holdings(b)).toEqual(await holdings(a))
    const at = await b.store.getObjectVersions(b.collection.id, objects[0]?.['id'] as string)
    expect(at[0]?.originPeer).toBe(aAtB.id)

    const again = await syncPeer({ store: a.store }, bAtA, pushOnly)
    expectOk(again)
    expect(again.pushed).toBe(0)
  })

  it('resumes an interrupted pull from the last committed page, without loss or duplicates', async () => {
    const a = await node('a')
    const b = await node('b')
    const { toPeer: aAtB } = await link(a, b)
    const objects = Array.from({ length: 9 }, () => indicator())
    await publish(a, objects)

    const stop = new AbortController()
    let pages = 0
    const cut = await syncPeer({ store: b.store }, aAtB, {
      ...pullOnly,
      pullPageSize: 2,
      signal: stop.signal,
      onProgress: (event) => {
        if (event.kind === 'page' && ++pages === 2) stop.abort(new Error('interrupted'))
      },
    })
    expect(cut.ok).toBe(false)
    expect(cut.pulled).toBe(4)
    expect((await holdings(b)).length).toBe(4)

    const rest = await syncPeer({ store: b.store }, aAtB, { ...pullOnly, pullPageSize: 2 })
    expectOk(rest)
    expect(rest.pulled).toBe(5)
    expect(await holdings(b)).toEqual(await holdings(a))
    expect((await peerStatus(b.store, 'a')).movedTotal).toBe(9)
  })

  it('stops when its run lease ran out and another process took it, keeping the committed pages', async () => {
    const a = await node('a')
    const b = await node('b')
    const { toPeer: aAtB } = await link(a, b)
    await publish(
      a,
      Array.from({ length: 6 }, () => indicator()),
    )
    let pages = 0
    const run = await syncPeer({ store: b.store }, aAtB, {
      ...pullOnly,
      pullPageSize: 2,
      leaseMs: 1000,
      onProgress: (event) => {
        if (event.kind === 'page' && ++pages === 1) {
          // Another process, a minute later, finds the lease expired and takes it.
          const later = Date.now() * 1000 + 60e6
          void b.store.peers.acquireLease(aAtB.id, 'other-process', later, later + 60e6)
        }
      },
    })
    expect(run.ok).toBe(false)
    expect(run.errors.join()).toMatch(/lease/)
    expect(run.pulled).toBe(2)
    expect((await holdings(b)).length).toBe(2)
  })

  it('stores nothing twice when a page is read again (a crash after the commit, before the cursor)', async () => {
    const a = await node('a')
    const b = await node('b')
    const { toPeer: aAtB } = await link(a, b)
    await publish(a, [indicator(), indicator(), indicator()])
    expectOk(await syncPeer({ store: b.store }, aAtB, pullOnly))
    // Put the cursor back as if the process died before saving it.
    const [cursor] = await b.store.peers.listCursors(aAtB.id)
    if (cursor === undefined) throw new Error('no cursor')
    await b.store.peers.saveCursor({ ...cursor, position: null })

    const again = await syncPeer({ store: b.store }, aAtB, pullOnly)
    expectOk(again)
    expect(again.pulled).toBe(0)
    expect(again.collections[0]?.duplicates).toBe(3)
    expect(await b.store.countObjects(b.collection.id)).toBe(3)
  })

  it('never sends a version back to the peer it came from (PEER_ECHO) nor AMBER onward (PEER_NO_ONWARD)', async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    const { toPeer: aAtB } = await link(a, b)
    const { fromPeer: cAtB } = await link(b, c)
    const green = indicator()
    const amber = indicator({}, TLP.amber)
    await publish(a, [green, amber])
    expectOk(await syncPeer({ store: b.store }, aAtB, pullOnly))
    expect((await holdings(b)).length).toBe(2)

    const preview = await previewPeer({ store: b.store }, await findPeer(b.store, 'a'))
    expect(preview.items.map((i) => [i.id, i.rule, i.send])).toEqual(
      expect.arrayContaining([
        [green['id'], 'PEER_ECHO', false],
        [amber['id'], 'PEER_ECHO', false],
      ]),
    )
    const back = await syncPeer({ store: b.store }, await findPeer(b.store, 'a'), pushOnly)
    expectOk(back)
    expect(back.pushed).toBe(0)
    expect(back.collections[0]?.heldBack).toBe(2)

    const toC = await previewPeer({ store: b.store }, cAtB)
    const rules = new Map(toC.items.map((i) => [i.id, i.rule]))
    expect(rules.get(green['id'] as string)).toBe('FEDERATION_PEER')
    expect(rules.get(amber['id'] as string)).toBe('PEER_NO_ONWARD')
    const onward = await syncPeer({ store: b.store }, cAtB, pushOnly)
    expectOk(onward)
    expect(onward.pushed).toBe(1)
    expect(await holdings(c)).toEqual([`${green['id'] as string}@${green['modified'] as string}`])
  })

  it('sends TLP:RED only to the peer whose organisation is a named recipient', async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    const ab = await link(a, b)
    const ac = await link(a, c)
    const red = indicator(
      { x_intelmesh_sharing: { distribution: 'organisation', recipients: [ab.fromOrgId] } },
      TLP.red,
    )
    await publish(a, [red])

    expectOk(await syncPeer({ store: b.store }, ab.toPeer, pullOnly))
    expectOk(await syncPeer({ store: c.store }, ac.toPeer, pullOnly))
    expect((await holdings(b)).length).toBe(1)
    expect(await holdings(c)).toEqual([])
    const [atB] = await b.store.getObjectVersions(b.collection.id, red['id'] as string)
    // At B, TLP:RED reaches only B's own organisation (the named recipient) and the publisher.
    expect(atB?.distribution).toEqual({
      scope: 'organisation',
      groups: [],
      recipients: [b.nodeOrgId],
    })
    const toC = await previewPeer({ store: a.store }, ac.fromPeer)
    expect(toC.items.map((i) => i.rule)).toEqual(['RED_NOT_RECIPIENT'])
  })

  it('propagates a revoked version like any other version', async () => {
    const a = await node('a')
    const b = await node('b')
    const { fromPeer: bAtA } = await link(a, b)
    const v1 = indicator()
    await publish(a, [v1])
    expectOk(await syncPeer({ store: a.store }, bAtA, pushOnly))
    const v2 = { ...v1, modified: '2027-01-01T00:00:00.000Z', revoked: true }
    await publish(a, [v2])
    const run = await syncPeer({ store: a.store }, bAtA, pushOnly)
    expectOk(run)
    expect(run.pushed).toBe(1)
    const versions = await b.store.getObjectVersions(b.collection.id, v1['id'] as string)
    expect(versions.map((v) => [v.version, v.revoked])).toEqual([
      [v1['modified'], false],
      ['2027-01-01T00:00:00.000Z', true],
    ])
  })

  it('sends what an object references first, and reports references it cannot send', async () => {
    const a = await node('a')
    const b = await node('b')
    const { fromPeer: bAtA } = await link(a, b)
    const author = identity()
    const hidden = indicator({ x_intelmesh_sharing: { distribution: 'organisation' } })
    const missing = `malware--${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`
    const shown = indicator({ created_by_ref: author['id'] })
    // Published first, the report is scanned before what it references.
    const rep = report([shown['id'] as string, hidden['id'] as string, missing], {
      created_by_ref: author['id'],
    })
    await publish(a, [rep])
    await publish(a, [hidden, shown, author])

    const run = await syncPeer({ store: a.store }, bAtA, pushOnly)
    expectOk(run)
    expect(run.pushed).toBe(3)
    const part = run.collections[0]
    expect(part?.danglingRefs.sort()).toEqual([hidden['id'] as string, missing].sort())
    expect(run.danglingRefs).toBe(2)
    expect(part?.heldBack).toBe(1)
    const atB = await holdings(b)
    expect(atB.map((h) => h.split('@')[0]).sort()).toEqual(
      [author['id'], shown['id'], rep['id']].sort(),
    )
    // The report arrived after what it references.
    const order = (
      await b.store.queryObjects({ collectionId: b.collection.id, limit: 10 })
    ).items.map((v) => v.id)
    expect(order.indexOf(rep['id'] as string)).toBeGreaterThan(order.indexOf(shown['id'] as string))
    expect(order.indexOf(shown['id'] as string)).toBeGreaterThan(
      order.indexOf(author['id'] as string),
    )
    expect((await peerStatus(a.store, 'b')).danglingLastRun).toBe(2)
  })

  it('sends an anonymously published object with the alliance identity as its creator', async () => {
    const a = await node('a')
    const b = await node('b')
    const { fromPeer: bAtA } = await link(a, b)
    const nodeOrg = await a.store.getOrganisation(a.nodeOrgId)
    const secret = indicator({
      created_by_ref: nodeOrg?.identityId,
      x_intelmesh_sharing: { anonymous: true },
    })
    await publish(a, [secret])
    const alliance = 'identity--7a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'
    await a.store.setSetting('sharing.alliance_identity_id', alliance)
    const run = await syncPeer({ store: a.store }, bAtA, pushOnly)
    expectOk(run)
    expect(run.pushed).toBe(1)
    const [atB] = await b.store.getObjectVersions(b.collection.id, secret['id'] as string)
    expect(JSON.parse(atB?.json ?? '{}')).toMatchObject({ created_by_ref: alliance })
    // The alliance identity is not in the collection: reported, not silently dropped.
    expect(run.collections[0]?.danglingRefs).toEqual([alliance])
  })

  it('refuses a new version of an object published here from a peer (STIX 2.1 section 3.6)', async () => {
    const a = await node('a')
    const b = await node('b')
    const { toPeer: bAtA } = await link(b, a)
    const mine = indicator()
    await publish(a, [mine])
    // B publishes the same version (fine) and a later one it had no right to make.
    const forged = {
      ...mine,
      modified: '2027-06-01T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '10.0.0.1']",
    }
    await publish(b, [mine, forged])
    const lines: string[] = []
    const run = await syncPeer({ store: a.store, log: (line) => lines.push(line) }, bAtA, pullOnly)
    expect(run.pulled).toBe(0)
    expect(run.invalid).toBe(1)
    expect(run.collections[0]?.duplicates).toBe(1)
    expect(lines.join('\n')).toMatch(/published on this node/)
    expect(await holdings(a)).toEqual([`${mine['id'] as string}@${mine['modified'] as string}`])
  })

  it('stores pushed TLP:RED, AMBER+STRICT and AMBER with the audience a pull gives them (src/sharing/inbound.ts)', async () => {
    const a = await node('a')
    const b = await node('b')
    const c = await node('c')
    const ab = await link(a, b)
    const ac = await link(a, c)
    const red = indicator(
      {
        x_intelmesh_sharing: {
          distribution: 'organisation',
          recipients: [ab.fromOrgId, ac.fromOrgId],
        },
      },
      TLP.red,
    )
    const strict = indicator({}, TLP.amberStrict)
    const amber = indicator({}, TLP.amber)
    await publish(a, [red, strict, amber])

    // B receives them by push (TAXII POST with A's peer key), C by pull: the same audience.
    const pushed = await syncPeer({ store: a.store }, ab.fromPeer, pushOnly)
    expectOk(pushed)
    expect(pushed.pushed).toBe(3)
    expect(pushed.collections[0]?.failed).toBe(0)
    expectOk(await syncPeer({ store: c.store }, ac.toPeer, pullOnly))
    for (const [receiver, peerAtReceiver] of [
      [b, ab.toPeer],
      [c, ac.toPeer],
    ] as const) {
      const audience = async (object: Record<string, unknown>) => {
        const [stored] = await receiver.store.getObjectVersions(
          receiver.collection.id,
          object['id'] as string,
        )
        expect(stored?.originPeer).toBe(peerAtReceiver.id)
        expect(stored?.anonymous).toBe(false)
        return stored?.distribution
      }
      const onlyHere = { scope: 'organisation', groups: [], recipients: [receiver.nodeOrgId] }
      expect(await audience(red)).toEqual(onlyHere)
      expect(await audience(strict)).toEqual(onlyHere)
      expect(await audience(amber)).toEqual({ scope: 'community', groups: [], recipients: [] })
    }
    expect(await holdings(b)).toEqual(await holdings(c))
  })

  it('refuses a pushed new version of an object published at the receiver, per object (STIX 2.1 section 3.6)', async () => {
    const a = await node('a')
    const b = await node('b')
    const { fromPeer: bAtA } = await link(a, b)
    const theirs = indicator()
    await publish(b, [theirs])
    // A holds the same version (fine to send: a duplicate) and a later one it had no right to make.
    const forged = {
      ...theirs,
      modified: '2027-06-01T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '10.0.0.1']",
    }
    const ownOfA = indicator()
    await publish(a, [theirs, forged, ownOfA])
    const lines: string[] = []
    const run = await syncPeer({ store: a.store, log: (line) => lines.push(line) }, bAtA, pushOnly)
    expectOk(run)
    expect(run.pushed).toBe(1)
    expect(run.collections[0]?.duplicates).toBe(1)
    expect(run.collections[0]?.failed).toBe(1)
    expect(lines.join('\n')).toContain(
      `refused ${theirs['id'] as string} (2027-06-01T00:00:00.000Z): ${theirs['id'] as string} version 2027-06-01T00:00:00.000Z: not stored: the object was published on this node, and only its creator makes new versions of it (STIX 2.1 section 3.6)`,
    )
    expect(await holdings(b)).toEqual(
      [
        `${theirs['id'] as string}@${theirs['modified'] as string}`,
        `${ownOfA['id'] as string}@${ownOfA['modified'] as string}`,
      ].sort(),
    )
  })

  it('applies the peer filter (types, labels, TLP ceiling) with its own reason codes', async () => {
    const a = await node('a')
    const b = await node('b')
    const { fromPeer } = await link(a, b, {
      fromSide: { filter: { types: ['indicator'], labels: ['apt'], tlpCeiling: 'green' } },
    })
    const ok = indicator({ labels: ['apt'] })
    const unlabelled = indicator()
    const amber = indicator({ labels: ['apt'] }, TLP.amber)
    const rep = report([ok['id'] as string], { labels: ['apt'] })
    await publish(a, [ok, unlabelled, amber, rep])
    const preview = await previewPeer({ store: a.store }, fromPeer)
    expect(preview.items.map((i) => [i.id, i.rule, i.send])).toEqual([
      [ok['id'], 'FEDERATION_PEER', true],
      [unlabelled['id'], 'FILTER_LABEL', false],
      [amber['id'], 'FILTER_TLP_CEILING', false],
      [rep['id'], 'FILTER_TYPE', false],
    ])
    const run = await syncPeer({ store: a.store }, fromPeer, pushOnly)
    expectOk(run)
    expect(run.pushed).toBe(1)
    expect(run.collections[0]?.heldBack).toBe(3)
  })
})
