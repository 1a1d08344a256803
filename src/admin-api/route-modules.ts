/**
 * The admin API's route table, module by module. To add routes from another area (say
 * `/api/v1/peers` for federation), export a `readonly AdminRoute[]` built with `defineRoute`
 * from your own file and add it to this list with one line; the app, the 405 answers and the
 * OpenAPI document all pick it up. Paths must not clash with existing ones (a test checks).
 */
import { federationRoutes } from '../sync/admin-routes.js'
import { accountRoutes } from './account-routes.js'
import { auditRoutes } from './audit-routes.js'
import type { AdminRoute } from './route.js'
import { sharingRoutes } from './sharing-routes.js'

export const adminRouteModules: readonly (readonly AdminRoute[])[] = [
  accountRoutes,
  sharingRoutes,
  auditRoutes,
  federationRoutes,
]
