import { postgresSchema } from '../helpers/postgres-schema.js'
import { describeTaxiiServer } from './taxii-conformance.js'

const pg = postgresSchema('taxii_e2e', 8)
describeTaxiiServer('PostgreSQL', () => pg.open(), pg.skipReason)
