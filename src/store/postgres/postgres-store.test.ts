import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { dataTables, latestSchemaVersion, migrations } from '../migrations/migrations.js'
import {
  describeSharingContract,
  expectUpgradedFromVersion2,
  version2Rows,
} from '../sharing.contract.js'
import { describeStoreContract, makeVersion } from '../store.contract.js'
import { microsToTimestamp } from '../timestamps.js'
import { PostgresStore } from './postgres-store.js'

const pgUrl = inject('pgUrl')
const schema = `test_${randomBytes(6).toString('hex')}`

/** A store on this file's schema, migrated and emptied. */
async function freshStore(): Promise<PostgresStore> {
  const store = PostgresStore.open(pgUrl, { schema, poolSize: 4 })
  await store.migrate()
  const admin = new pg.Client({ connectionString: pgUrl })
  await admin.connect()
  try {
    await admin.query(`TRUNCATE ${dataTables.map((t) => `${schema}.${t}`).join(', ')}`)
  } finally {
    await admin.end()
  }
  return store
}

async function seedCollection(store: PostgresStore, id: string): Promise<void> {
  await store.createApiRoot({
    id: 'root',
    path: 'api1',
    title: 'root',
    description: null,
    maxContentLength: 1000,
    createdAt: '2026-01-01T00:00:00Z',
  })
  await store.createCollection({
    id,
    apiRootId: 'root',
    alias: 'c',
    title: 'c',
    description: null,
    mediaTypes: [],
    defaultDistribution: { scope: 'community', groups: [], recipients: [] },
    public: false,
    createdAt: '2026-01-01T00:00:00Z',
  })
}

if (!pgUrl) {
  describe.skip(`PostgresStore (skipped: ${inject('pgSkipReason')})`, () => {
    it('needs PostgreSQL', () => undefined)
  })
} else {
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: pgUrl })
    await admin.connect()
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

  describeStoreContract('postgres', freshStore)
  describeSharingContract('postgres', freshStore)

  describe('PostgresStore', () => {
    beforeAll(async () => {
      const store = await freshStore()
      await store.close()
    })

    it('migrates safely from two processes at once (advisory lock)', async () => {
      const other = `${schema}_m`
      const a = PostgresStore.open(pgUrl, { schema: other })
      const b = PostgresStore.open(pgUrl, { schema: other })
      try {
        expect(await a.schemaVersion()).toBe(0)
        const [ra, rb] = await Promise.all([a.migrate(), b.migrate()])
        expect([...ra, ...rb].sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version))
        expect(await b.schemaVersion()).toBe(latestSchemaVersion)
        expect(await a.migrate()).toEqual([])
      } finally {
        await a.close()
        await b.close()
        const admin = new pg.Client({ connectionString: pgUrl })
        await admin.connect()
        await admin.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`)
        await admin.end()
      }
    })

    it('keeps date_added unique and increasing with two stores writing one collection concurrently, and paging sees every object once', async () => {
      const collection = '6a0c8d3e-8d41-4c8f-9c8e-1d2b3c4d5e6f'
      const a = await freshStore()
      const b = PostgresStore.open(pgUrl, { schema, poolSize: 4 })
      try {
        await seedCollection(a, collection)
        const now = 1_767_225_600_000_000
        let n = 0
        const batch = (size: number) =>
          Array.from({ length: size }, () =>
            makeVersion(
              `indicator--${String(++n).padStart(8, '0')}-0000-4000-8000-000000000000`,
              '2026-01-01T00:00:00Z',
              {
                collectionId: collection,
              },
            ),
          )
        const seen: string[] = []
        let cursor: number | undefined
        const writers: Promise<unknown>[] = []
        for (let round = 0; round < 20; round++) {
          // Same clock on both stores: only the lock keeps their date_added apart.
          writers.push(a.addObjects(batch(25), now), b.addObjects(batch(25), now))
          const page = await b.queryObjects({
            collectionId: collection,
            limit: 30,
            ...(cursor === undefined ? {} : { afterMicros: cursor }),
          })
          seen.push(...page.items.map((i) => i.id))
          cursor = page.items.at(-1)?.dateAddedMicros ?? cursor
        }
        await Promise.all(writers)
        for (;;) {
          const page = await a.queryObjects({
            collectionId: collection,
            limit: 100,
            ...(cursor === undefined ? {} : { afterMicros: cursor }),
          })
          seen.push(...page.items.map((i) => i.id))
          cursor = page.items.at(-1)?.dateAddedMicros ?? cursor
          if (!page.more) break
        }
        const all = await a.queryObjects({ collectionId: collection, limit: 10_000 })
        const micros = all.items.map((i) => i.dateAddedMicros)
        expect(all.items).toHaveLength(1000)
        expect(new Set(micros).size).toBe(1000)
        expect(micros).toEqual([...micros].sort((x, y) => x - y))
        expect(micros[0]).toBe(now)
        expect(all.items.at(-1)?.dateAdded).toBe(microsToTimestamp(now + 999))
        expect(seen).toEqual(all.items.map((i) => i.id))
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('upgrades a schema version 2 database: old rows gain the sharing defaults (migration 3)', async () => {
      const other = `${schema}_v2`
      const old = PostgresStore.open(pgUrl, {
        schema: other,
        migrations: migrations.filter((m) => m.version <= 2),
      })
      const store = PostgresStore.open(pgUrl, { schema: other })
      const admin = new pg.Client({ connectionString: pgUrl })
      await admin.connect()
      try {
        expect(await old.migrate()).toEqual([1, 2])
        await admin.query(`SET search_path = ${other}`)
        for (const statement of version2Rows) await admin.query(statement)
        expect(await store.migrate()).toEqual(
          migrations.filter((m) => m.version > 2).map((m) => m.version),
        )
        expect(await store.schemaVersion()).toBe(latestSchemaVersion)
        await expectUpgradedFromVersion2(store)
      } finally {
        await old.close()
        await store.close()
        await admin.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`)
        await admin.end()
      }
    })

    it('rolls a failing migration back whole and reports STORE_MIGRATION_FAILED', async () => {
      const other = `${schema}_f`
      const broken = [
        ...migrations,
        {
          version: 99,
          name: 'broken on purpose',
          statements: () => [
            'CREATE TABLE extra (x INTEGER)',
            'INSERT INTO no_such_table VALUES (1)',
          ],
        },
      ]
      const store = PostgresStore.open(pgUrl, { schema: other, migrations: broken })
      try {
        await expect(store.migrate()).rejects.toMatchObject({
          code: 'STORE_MIGRATION_FAILED',
          message: expect.stringContaining('migration 99 (broken on purpose)') as unknown,
        })
        expect(await store.schemaVersion()).toBe(0)
      } finally {
        await store.close()
        const admin = new pg.Client({ connectionString: pgUrl })
        await admin.connect()
        const left = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [other])
        await admin.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`)
        await admin.end()
        // Even the schema the migration created is gone with the rollback.
        expect(left.rowCount).toBe(0)
      }
    })

    it('reports an unreachable server as STORE_UNAVAILABLE', async () => {
      const store = PostgresStore.open('postgres://nobody@127.0.0.1:1/none')
      await expect(store.countObjects()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' })
      await store.close()
    })

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => PostgresStore.open(pgUrl, { schema: 'x; drop table y' })).toThrow(/schema name/)
    })
  })
}
