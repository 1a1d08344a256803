import { describeSharingProperty } from '../helpers/sharing-world.js'
import { postgresSchema } from '../helpers/postgres-schema.js'

// The global setup fails the run when INTELMESH_REQUIRE_POSTGRES=1 and PostgreSQL is missing.
const pg = postgresSchema('sharing_property', 8)
describeSharingProperty(
  'PostgreSQL',
  () => pg.open(),
  { runs: 25, timeLimitMs: 45_000 },
  pg.skipReason,
)
