import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, inject } from 'vitest'
import { PostgresStore } from '../../src/store/postgres/postgres-store.js'
import { describeAdminApi } from './admin-api-suite.js'

const pgUrl = inject('pgUrl')
const schema = `admin_api_${randomBytes(6).toString('hex')}`

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

describeAdminApi(
  'PostgreSQL',
  async () => {
    const store = PostgresStore.open(pgUrl, { schema, poolSize: 4 })
    await store.migrate()
    return store
  },
  pgUrl ? undefined : `PostgreSQL unavailable: ${inject('pgSkipReason')}`,
)
