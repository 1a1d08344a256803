/**
 * The federation routes of the admin API over a real socket (issue 6: "the same through the
 * admin API"): peers managed by node admins without credentials ever shown, and
 * `GET /api/v1/tombstones` for peer nodes.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { peerStatus, syncPeer } from '../../src/sync/index.js'
import { indicator, link, publish, startNode, type TestNode } from './sync-nodes.js'

const nodes: TestNode[] = []
async function node(name: string): Promise<TestNode> {
  const started = await startNode(name)
  nodes.push(started)
  return started
}
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close()
})

async function call(
  n: TestNode,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${n.served.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

describe('admin API: /api/v1/peers', () => {
  it('lets a node admin add, read, change, preview and remove a peer, never showing its secret', async () => {
    const a = await node('a')
    await a.admin.addOrganisation('Org B')
    const added = await call(a, 'POST', '/peers', a.adminKey, {
      name: 'b',
      url: 'https://b.example.org/api1/',
      auth: { kind: 'bearer', token: 'top-secret-token' },
      org: 'Org B',
      maps: [{ local: a.collection.alias, remote: 'remote-1' }],
      filter: { tlpCeiling: 'green' },
    })
    expect(added.status).toBe(201)
    expect(added.json).toMatchObject({
      name: 'b',
      authKind: 'bearer',
      filter: { tlpCeiling: 'green' },
    })
    const listed = await call(a, 'GET', '/peers', a.adminKey)
    const shown = await call(a, 'GET', '/peers/b', a.adminKey)
    const changed = await call(a, 'PATCH', '/peers/b', a.adminKey, { enabled: false })
    const status = await call(a, 'GET', '/peers/b/status', a.adminKey)
    for (const answer of [added, listed, shown, changed, status]) {
      expect(JSON.stringify(answer.json)).not.toContain('top-secret-token')
    }
    expect(changed.json['enabled']).toBe(false)
    await publish(a, [indicator()])
    const preview = await call(a, 'GET', '/peers/b/preview', a.adminKey)
    expect(preview.json['byRule']).toEqual({ FEDERATION_PEER: 1 })
    const key = await call(a, 'POST', '/peers/b/keys', a.adminKey)
    expect(key.status).toBe(201)
    expect(key.json['userName']).toBe('peer-b')
    expect(String(key.json['key'])).toMatch(/^imk_/)
    expect((await call(a, 'DELETE', '/peers/b', a.adminKey)).status).toBe(200)
    expect((await call(a, 'GET', '/peers/b', a.adminKey)).status).toBe(404)
  })

  it('refuses other users (403) and names a bad field (400)', async () => {
    const a = await node('a')
    const org = await a.admin.addOrganisation('Org X')
    await a.admin.addUser({ name: 'ana', org: org.id, role: 'admin', password: 'y'.repeat(16) })
    const { key } = await a.admin.createApiKey('ana')
    expect((await call(a, 'GET', '/peers', key)).status).toBe(403)
    const bad = await call(a, 'POST', '/peers', a.adminKey, { name: 'b', url: 'x' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.json)).toMatch(/auth|org|maps/)
  })
})

describe('admin API: GET /api/v1/tombstones', () => {
  it('gives a peer the tombstones of collections it reads, not those that came from it, and records them as applied once acknowledged', async () => {
    const a = await node('a')
    const b = await node('b')
    const ab = await link(a, b)
    const doomed = indicator()
    await publish(a, [doomed])
    expectOk(await syncPeer({ store: b.store }, ab.toPeer))
    await a.client.deleteObject('api1', a.collection.id, doomed['id'] as string)
    // A deletion that came from B itself is not handed back to B.
    await a.store.peers.addTombstone({
      collectionId: a.collection.id,
      objectId: `indicator--${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}`,
      versions: null,
      deletedAt: '2026-01-01T00:00:00.000000Z',
      originPeer: ab.fromPeer.id,
    })
    const bKey = ab.toPeer.auth.kind === 'bearer' ? ab.toPeer.auth.token : ''
    const page = await call(a, 'GET', '/tombstones?after=0', bKey)
    expect(page.status).toBe(200)
    expect(page.json['tombstones']).toEqual([
      expect.objectContaining({ seq: 1, object_id: doomed['id'], collection_id: a.collection.id }),
    ])
    expect(page.json['more']).toBe(false)

    // B pulls and applies it; its next request acknowledges it.
    expectOk(await syncPeer({ store: b.store }, ab.toPeer))
    expectOk(await syncPeer({ store: b.store }, ab.toPeer))
    const status = await peerStatus(a.store, 'b')
    expect(status.tombstones).toEqual([expect.objectContaining({ seq: 1, outcome: 'applied' })])
  })

  it('refuses a user who is neither a peer nor a node admin', async () => {
    const a = await node('a')
    const org = await a.admin.addOrganisation('Org X')
    await a.admin.addUser({ name: 'ana', org: org.id, role: 'analyst', password: 'y'.repeat(16) })
    const { key } = await a.admin.createApiKey('ana')
    expect((await call(a, 'GET', '/tombstones', key)).status).toBe(403)
    expect((await call(a, 'GET', '/tombstones', a.adminKey)).status).toBe(200)
  })
})

function expectOk(report: { errors: string[] }): void {
  expect(report.errors, report.errors.join('\n')).toEqual([])
}
