import { postgresSchema } from '../helpers/postgres-schema.js'
import { describeSharingScenarios } from './sharing-scenarios.js'

const pg = postgresSchema('sharing_e2e', 8)
describeSharingScenarios('PostgreSQL', () => pg.open(), pg.skipReason)
