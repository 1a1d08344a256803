/**
 * Two intelmesh processes on one PostgreSQL database (DESIGN.md, Storage: "several stateless
 * intelmesh processes share one database") serve the same data consistently: what one writes
 * the other reads, and concurrent writes through both keep `date_added` unique and paging
 * complete (TAXII 2.1 section 3.4.1).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  TAXII,
  bearer,
  http,
  indicator,
  printedCollectionId,
  printedKey,
  runCli,
  startNodeProcess,
  type NodeProcess,
} from './node-harness.js'

const pgUrl = inject('pgUrl')
const skipReason = inject('pgSkipReason')
if (!pgUrl) console.warn(`node-postgres tests skipped: ${skipReason || 'no PostgreSQL'}`)

const running: NodeProcess[] = []
let dbUrl = ''
let dbName = ''

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

beforeAll(async () => {
  if (!pgUrl) return
  dbName = `intelmesh_e2e_${randomBytes(4).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`))
  const url = new URL(pgUrl)
  url.pathname = `/${dbName}`
  dbUrl = url.toString()
})

afterAll(async () => {
  for (const node of running) node.child.kill('SIGKILL')
  await Promise.all(running.map((n) => n.exited))
  if (pgUrl && dbName) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`))
})

interface ManifestRecord {
  id: string
  date_added: string
  version: string
}

describe.skipIf(!pgUrl)(
  'two intelmesh processes on one PostgreSQL database',
  { timeout: 180_000 },
  () => {
    it('serve the same data: write through one, read through the other, concurrently too', async () => {
      const env = { INTELMESH_ADMIN_PASSWORD: 'postgres e2e admin password' }
      const a = await startNodeProcess(['--db', dbUrl], env)
      running.push(a)
      const key = printedKey(a.output())
      const collectionId = printedCollectionId(a.output())
      const b = await startNodeProcess(['--db', dbUrl], env)
      running.push(b)
      expect(b.output()).not.toContain('First start')

      const path = `/api1/collections/${collectionId}/objects/`
      const post = async (origin: string, objects: Record<string, unknown>[]): Promise<void> => {
        const answer = await http(
          'POST',
          `${origin}${path}`,
          { ...bearer(key), 'Content-Type': TAXII },
          JSON.stringify({ objects }),
        )
        expect(answer.status).toBe(202)
        expect(JSON.parse(answer.body)).toMatchObject({ success_count: objects.length })
      }

      const one = indicator(1)
      await post(a.origin, [one])
      const read = await http('GET', `${b.origin}${path}${String(one['id'])}/`, bearer(key))
      expect(read.status).toBe(200)
      expect(JSON.parse(read.body)).toMatchObject({ objects: [{ id: one['id'] }] })

      // Concurrent writes through both processes, 4 writers each.
      const written: string[] = [one['id'] as string]
      let n = 2
      const writer = async (origin: string): Promise<void> => {
        for (let round = 0; round < 10; round++) {
          const objects = Array.from({ length: 20 }, () => indicator(n++))
          written.push(...objects.map((o) => o['id'] as string))
          await post(origin, objects)
        }
      }
      await Promise.all([a, b, a, b, a, b, a, b].map((node) => writer(node.origin)))

      // Page the manifest through each process with a small limit: nothing skipped or repeated.
      for (const node of [a, b]) {
        const seen: ManifestRecord[] = []
        let next: string | undefined
        for (;;) {
          const params = new URLSearchParams({ limit: '37' })
          if (next) params.set('next', next)
          const answer = await http(
            'GET',
            `${node.origin}/api1/collections/${collectionId}/manifest/?${params.toString()}`,
            bearer(key),
          )
          expect(answer.status).toBe(200)
          const page = JSON.parse(answer.body) as {
            objects?: ManifestRecord[]
            more?: boolean
            next?: string
          }
          seen.push(...(page.objects ?? []))
          if (!page.more) break
          next = page.next
        }
        expect(seen).toHaveLength(written.length)
        expect(new Set(seen.map((r) => r.id))).toEqual(new Set(written))
        const dates = seen.map((r) => r.date_added)
        expect(new Set(dates).size).toBe(dates.length)
        expect([...dates].sort()).toEqual(dates)
      }

      // Admin commands work on the shared database while both processes run.
      const added = await runCli(['user', 'add', 'dave', '--org', 'intelmesh', '--db', dbUrl])
      expect(added.code).toBe(0)
      const created = await runCli(['key', 'create', 'dave', '--db', dbUrl])
      const daveKey = /^(imk_\S+)$/m.exec(created.stdout)?.[1] ?? ''
      const listUrl = `/api1/collections/${collectionId}/objects/?limit=1`
      expect((await http('GET', `${a.origin}${listUrl}`, bearer(daveKey))).status).toBe(200)
      expect((await runCli(['key', 'revoke', daveKey.slice(4, 12), '--db', dbUrl])).code).toBe(0)
      expect((await http('GET', `${b.origin}${listUrl}`, bearer(daveKey))).status).toBe(401)

      for (const node of [a, b]) {
        node.child.kill('SIGTERM')
        expect(await node.exited).toEqual({ code: 0, signal: null })
      }
    })
  },
)
