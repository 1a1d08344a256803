/**
 * One fetch handler for a node: requests under `/api/v1` go to the admin API, everything else
 * to the TAXII app. (API root paths cannot be `api`, so the two never overlap.)
 */
import { ADMIN_API_BASE } from './base.js'

type Fetch = (request: Request) => Response | Promise<Response>

/** True when `pathname` belongs to the admin API. */
export function isAdminApiPath(pathname: string): boolean {
  return pathname === ADMIN_API_BASE || pathname.startsWith(`${ADMIN_API_BASE}/`)
}

/** Routes admin API paths to `admin` and the rest to `taxii`. */
export function withAdminApi(taxii: { fetch: Fetch }, admin: { fetch: Fetch }): { fetch: Fetch } {
  return {
    fetch: (request) =>
      isAdminApiPath(new URL(request.url).pathname) ? admin.fetch(request) : taxii.fetch(request),
  }
}
