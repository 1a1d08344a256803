import { postgresSchema } from '../helpers/postgres-schema.js'
import { describeAdminApi } from './admin-api-suite.js'

const pg = postgresSchema('admin_api', 4)
describeAdminApi('PostgreSQL', () => pg.open(), pg.skipReason)
