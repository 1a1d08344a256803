/**
 * A throw-away PostgreSQL schema for one test file on the cluster of the global setup: opens a
 * migrated store in it, drops it after the file, and says why the file is skipped when there is
 * no cluster (`INTELMESH_REQUIRE_POSTGRES=1` turns that into a failure in the global setup).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, inject } from 'vitest'
import { PostgresStore } from '../../src/store/postgres/postgres-store.js'

export interface PostgresSchema {
  /** Opens and migrates a store in the schema (each call a new pool). */
  open(): Promise<PostgresStore>
  /** Why the suite is skipped, or undefined when PostgreSQL is there. */
  skipReason: string | undefined
}

export function postgresSchema(prefix: string, poolSize: number): PostgresSchema {
  const pgUrl = inject('pgUrl')
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`
  if (pgUrl) {
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: pgUrl })
      await admin.connect()
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await admin.end()
      }
    })
  }
  return {
    async open() {
      const store = PostgresStore.open(pgUrl, { schema, poolSize })
      await store.migrate()
      return store
    },
    skipReason: pgUrl ? undefined : `PostgreSQL unavailable: ${inject('pgSkipReason')}`,
  }
}
