import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, inject } from 'vitest'
import { PostgresStore } from '../../src/store/postgres/postgres-store.js'
import { describeSharingProperty } from '../helpers/sharing-world.js'

const pgUrl = inject('pgUrl')
const schema = `sharing_property_${randomBytes(6).toString('hex')}`

// The global setup already fails the run when INTELMESH_REQUIRE_POSTGRES=1 and PostgreSQL is
// missing; this keeps the requirement visible here should the setup change.
if (!pgUrl && process.env['INTELMESH_REQUIRE_POSTGRES'] === '1') {
  throw new Error(`INTELMESH_REQUIRE_POSTGRES=1 but ${inject('pgSkipReason')}`)
}

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

describeSharingProperty(
  'PostgreSQL',
  async () => {
    const store = PostgresStore.open(pgUrl, { schema, poolSize: 8 })
    await store.migrate()
    return store
  },
  { runs: 25, timeLimitMs: 45_000 },
  pgUrl ? undefined : `PostgreSQL unavailable: ${inject('pgSkipReason')}`,
)
