/**
 * Federation with a node on PostgreSQL (issue 6): pull and push between a SQLite node and a
 * PostgreSQL node over real sockets, resume from the cursors kept in PostgreSQL, and the run
 * lease shared by two engines on the same database.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'
import { PostgresStore } from '../../src/store/postgres/postgres-store.js'
import { peerStatus, syncPeer } from '../../src/sync/index.js'
import {
  holdings,
  indicator,
  link,
  publish,
  report,
  startNode,
  type TestNode,
} from './sync-nodes.js'

const pgUrl = inject('pgUrl')
const schemas: string[] = []
const nodes: TestNode[] = []

async function pgNode(name: string): Promise<TestNode> {
  const schema = `sync_e2e_${randomBytes(6).toString('hex')}`
  schemas.push(schema)
  const started = await startNode(name, () =>
    Promise.resolve(PostgresStore.open(pgUrl, { schema, poolSize: 4 })),
  )
  nodes.push(started)
  return started
}

async function sqliteNode(name: string): Promise<TestNode> {
  const started = await startNode(name)
  nodes.push(started)
  return started
}

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close()
})

if (pgUrl) {
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: pgUrl })
    await admin.connect()
    try {
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    } finally {
      await admin.end()
    }
  })
}

const requirePg = process.env['INTELMESH_REQUIRE_POSTGRES'] === '1'

describe.skipIf(!pgUrl && !requirePg)('sync with a PostgreSQL node', () => {
  it('pulls into PostgreSQL, resumes from its cursor, and pushes from it', async () => {
    if (!pgUrl) throw new Error(`PostgreSQL required but unavailable: ${inject('pgSkipReason')}`)
    const a = await sqliteNode('a')
    const c = await pgNode('c')
    const ac = await link(a, c)
    const first = indicator()
    await publish(a, [first, indicator(), report([first['id'] as string])])

    const pull = await syncPeer({ store: c.store }, ac.toPeer, {
      directions: ['pull'],
      pullPageSize: 2,
    })
    expect(pull.errors).toEqual([])
    expect(pull.pulled).toBe(3)
    expect(await holdings(c)).toEqual(await holdings(a))
    await publish(a, [indicator()])
    const more = await syncPeer({ store: c.store }, ac.toPeer, { directions: ['pull'] })
    expect(more.pulled).toBe(1)
    expect((await peerStatus(c.store, 'a')).movedTotal).toBe(4)

    const own = indicator()
    await publish(c, [own])
    const push = await syncPeer({ store: c.store }, ac.toPeer, { directions: ['push'] })
    expect(push.errors).toEqual([])
    // Only C's own object goes: the four came from A (PEER_ECHO).
    expect(push.pushed).toBe(1)
    expect(push.collections[0]?.heldBack).toBe(4)
    expect(await holdings(a)).toEqual(await holdings(c))
  })

  it('lets only one of two engines on the same database run a peer at a time', async () => {
    if (!pgUrl) throw new Error(`PostgreSQL required but unavailable: ${inject('pgSkipReason')}`)
    const a = await sqliteNode('a')
    const c = await pgNode('c')
    const ac = await link(a, c)
    await publish(
      a,
      Array.from({ length: 5 }, () => indicator()),
    )
    const [one, two] = await Promise.all([
      syncPeer({ store: c.store, leaseOwner: 'process-1' }, ac.toPeer, { pullPageSize: 1 }),
      syncPeer({ store: c.store, leaseOwner: 'process-2' }, ac.toPeer, { pullPageSize: 1 }),
    ])
    // The in-process lock answers first here; the lease row is checked below on its own.
    expect([one.skipped, two.skipped].sort()).toEqual([false, true])
    const now = Date.now() * 1000
    expect(await c.store.peers.acquireLease(ac.toPeer.id, 'process-1', now, now + 60e6)).toBe(true)
    const blocked = await syncPeer({ store: c.store, leaseOwner: 'process-2' }, ac.toPeer)
    expect(blocked.skipped).toBe(true)
    await c.store.peers.releaseLease(ac.toPeer.id, 'process-1')
    expect(await c.store.countObjects(c.collection.id)).toBe(5)
  })
})
