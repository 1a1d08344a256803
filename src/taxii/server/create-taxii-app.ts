/**
 * The TAXII 2.1 server as a Hono app (TAXII 2.1 sections 4 and 5): discovery, API roots,
 * status, collections, manifests, objects (GET, POST), an object (GET, DELETE) and its
 * versions, for every API root in the store. The app does not listen; the caller serves it.
 *
 * Choices where the specification leaves room:
 * - Every endpoint needs credentials (401 with `WWW-Authenticate` offering Basic and Bearer
 *   otherwise), except GETs that public collections need: discovery, API roots, the collections
 *   list (public collections only), and a public collection with its manifest, objects, object
 *   and versions. Wrong credentials are always 401, never read as "no credentials". `Accept`
 *   is checked first: 406 comes before 401. An absent `Accept` accepts anything (RFC 7231
 *   section 5.3.2); `application/taxii+json` without a version means 2.1 (section 1.6.8.2), also
 *   as a POST `Content-Type`.
 * - A collection the principal holds no grant on answers 404, as if absent (401 without
 *   credentials); with a grant but without `can_read` (reads) or `can_write` (POST) it answers
 *   403. DELETE needs both (section 5.7). Node admins (admins of the node's own organisation)
 *   can read and write every collection; readers never write. A public collection is listed
 *   and readable by everyone.
 * - The sharing rule (issue 5, src/sharing/policy.ts) filters every read in the store, so
 *   pages, `more`, `next` and the date headers only ever count versions the viewer may see. An
 *   object with no visible version answers 404 exactly like an absent one (Get an Object, its
 *   versions, DELETE), and DELETE removes only the versions the caller sees and owns: those its
 *   organisation published (node admins: any they see; a peer: those that came from it); a
 *   visible object the caller does not own answers 403. Anonymously
 *   published versions reach everyone but their publisher with `created_by_ref` replaced by the
 *   alliance identity.
 * - Add Objects accepts the publishing parameters `distribution`, `groups`, `recipients` and
 *   `anonymous` (docs/sharing.md); an object's `x_intelmesh_sharing` overrides them and is
 *   removed before storing.
 * - The audit log gets one entry per request: reads that returned a non-CLEAR version, every
 *   POST and DELETE, and every 403 (login failures are the authenticator's).
 * - A collection may be addressed by its alias as well as its id (section 5.2.1).
 * - Unknown query parameters answer 400 naming them; unknown `match[<field>]` fields are
 *   ignored (section 3.4); a defined field an endpoint does not list answers 400.
 * - `next` tokens are opaque, signed, and tied to the filters (not to `limit`); objects and
 *   manifest share them. Manifest and versions resources carry `next` too (custom property,
 *   section 7.1, same meaning as in the envelope).
 * - An empty page carries no `X-TAXII-Date-Added-First`/`-Last`: there is no date to give.
 * - Get an Object, its versions, and DELETE answer 404 when the collection holds no version of
 *   the object; when it does but the filters match none, Get answers an empty envelope.
 * - DELETE answers 200 with no body. A status is readable by its requester only, for 24 hours.
 * - An empty envelope (`{}`) is accepted with `total_count` 0. Unknown envelope properties are
 *   ignored (section 7.1); a STIX bundle is refused with 400, as is invalid JSON, UTF-8, or JSON
 *   nested deeper than 64 levels; readable JSON of another shape (a top-level array, `objects`
 *   not a list) is "unprocessable" (422, section 5.5).
 */
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Authenticator, Principal } from '../../accounts/principal.js'
import {
  AuditLog,
  type AuditAction,
  type AuditEvent,
  type JsonValue,
} from '../../audit/audit-log.js'
import { AppError } from '../../errors.js'
import { deleteWithTombstone } from '../../sync/tombstones.js'
import { addEnvelope } from '../../ingest/add-envelope.js'
import {
  objectExists,
  readObjectJsonPage,
  readObjectPage,
  type ObjectFilter,
  type ReadJsonPage,
} from '../../query/read-objects.js'
import { anonymise } from '../../sharing/anonymise.js'
import {
  readAllianceIdentityId,
  readDefaultTlp,
  readNodeOrgId,
  visibilityFilterOf,
  viewerOf,
} from '../../sharing/viewer.js'
import type {
  ApiRoot,
  Collection,
  ObjectQuery,
  StatusDetail,
  StatusRecord,
  Store,
  StoredObjectVersion,
  TlpLevel,
  VersionMatch,
  VisibilityFilter,
} from '../../store/store.js'
import { microsToTimestamp, versionKeyOf } from '../../store/timestamps.js'
import {
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  type ApiRootResource,
  type CollectionResource,
  type CollectionsResource,
  type Discovery,
  type ManifestRecord,
  type ManifestResource,
  type StatusDetails,
  type StatusResource,
  type VersionsResource,
} from '../resources.js'
import { collectionAccess, type CollectionAccess } from './collection-access.js'
import { acceptsTaxii, isTaxiiContentType } from './media-types.js'
import { NextTokens, type FilterScope } from './next-token.js'
import { parseTaxiiQuery, type EndpointKind, type TaxiiQuery } from './query-params.js'
import { readBodyLimited } from './read-body.js'
import { renderError } from './render-error.js'

declare module 'hono' {
  interface ContextVariableMap {
    /** The authenticated caller; undefined for a request without credentials. */
    taxiiCaller: Principal | undefined
  }
}

/** Server-wide settings; every one has a default. */
export interface TaxiiAppSettings {
  /** Largest page the server returns, whatever `limit` asks (default 10,000). */
  maxPageSize?: number
  /** Page size when the request has no `limit` (default 1,000). */
  defaultPageSize?: number
  /** Discovery `title` (default `intelmesh TAXII server`). */
  title?: string
  description?: string
  contact?: string
  /** Path segment of the API root advertised as discovery `default`, when it exists. */
  defaultApiRootPath?: string
  /**
   * Apply the sharing rule to reads (default true). Only the rule-cost benchmark turns it off,
   * to compare against; it is never read from configuration.
   */
  applySharingRule?: boolean
}

export interface TaxiiAppDeps {
  store: Store
  authenticator: Authenticator
  /** The current time in microseconds since the epoch (default: the system clock). */
  clock?: () => number
  settings?: TaxiiAppSettings
  /** Where unexpected errors are logged (default: standard error). */
  log?: (line: string) => void
  /** The audit log (default: the store's, on `clock`). */
  audit?: AuditLog
}

const DEFAULT_PAGE_SIZE = 1000
const MAX_PAGE_SIZE = 10_000
/** How often, at most, a POST also removes expired statuses. */
const STATUS_PURGE_INTERVAL_MICROS = 3600 * 1_000_000

const ROUTES = {
  discovery: '/taxii2/',
  apiRoot: '/:root/',
  status: '/:root/status/:statusId/',
  collections: '/:root/collections/',
  collection: '/:root/collections/:collectionId/',
  manifest: '/:root/collections/:collectionId/manifest/',
  objects: '/:root/collections/:collectionId/objects/',
  object: '/:root/collections/:collectionId/objects/:objectId/',
  versions: '/:root/collections/:collectionId/objects/:objectId/versions/',
} as const

function taxiiResponse(
  c: Context,
  status: ContentfulStatusCode,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return c.body(body, status, { 'Content-Type': TAXII_MEDIA_TYPE, ...headers })
}

/** What every kind of page tells about itself: where it ends and whether more follow. */
interface PageBounds {
  more: boolean
  firstDateAdded?: string
  lastDateAdded?: string
  lastMicros?: number
}

/** Reads one page of at most `limit` versions after `afterMicros`. */
type PageReader<P extends PageBounds> = (page: {
  limit: number
  afterMicros?: number
}) => Promise<P>

function dateAddedHeaders(page: PageBounds): Record<string, string> {
  // Section 3.2: the headers carry the date_added of the first and last object returned; an
  // empty page has no such object, so they are left out.
  if (page.firstDateAdded === undefined || page.lastDateAdded === undefined) return {}
  return {
    'X-TAXII-Date-Added-First': page.firstDateAdded,
    'X-TAXII-Date-Added-Last': page.lastDateAdded,
  }
}

function statusDetails(details: readonly StatusDetail[]): StatusDetails[] {
  return details.map((detail) => {
    const out: StatusDetails = { id: detail.id, version: detail.version }
    if (detail.message !== undefined) out.message = detail.message
    return out
  })
}

function statusResource(record: StatusRecord): StatusResource {
  const resource: StatusResource = {
    id: record.id,
    status: record.status,
    request_timestamp: record.requestTimestamp,
    total_count: record.totalCount,
    success_count: record.successes.length,
    failure_count: record.failures.length,
    pending_count: record.pendings.length,
  }
  // Section 2: empty lists are not sent; the counts say there are none.
  if (record.successes.length > 0) resource.successes = statusDetails(record.successes)
  if (record.failures.length > 0) resource.failures = statusDetails(record.failures)
  if (record.pendings.length > 0) resource.pendings = statusDetails(record.pendings)
  return resource
}

function collectionResource(collection: Collection, access: CollectionAccess): CollectionResource {
  const resource: CollectionResource = {
    id: collection.id,
    title: collection.title,
    can_read: access.canRead,
    can_write: access.canWrite,
  }
  if (collection.description !== null) resource.description = collection.description
  if (collection.alias !== '') resource.alias = collection.alias
  resource.media_types =
    collection.mediaTypes.length > 0 ? collection.mediaTypes : [STIX_MEDIA_TYPE]
  return resource
}

function notFound(what: string): AppError {
  return new AppError('TAXII_NOT_FOUND', { detail: what })
}

/** The ids an audit entry may carry (others, e.g. a mistyped path segment, go in its details). */
const AUDITABLE_ID = /^[a-z0-9-]+--[0-9a-fA-F-]{1,64}$/

function auditIds(ids: readonly string[]): { objectIds: string[]; otherIds: string[] } {
  const objectIds: string[] = []
  const otherIds: string[] = []
  for (const id of ids) (AUDITABLE_ID.test(id) ? objectIds : otherIds).push(id)
  return { objectIds, otherIds }
}

/** The audit actor of a principal: the peer, else the API key, else the user. */
function actorOf(principal: Principal): AuditEvent['actor'] {
  if (principal.peerId !== undefined) return { kind: 'peer', id: principal.peerId }
  if (principal.keyId !== undefined) return { kind: 'key', id: principal.keyId }
  return { kind: 'user', id: principal.userId }
}

/** What the sharing rule needs for one request on one collection. */
interface ReadSharing {
  /** The store filter; undefined when the rule is switched off (benchmark only). */
  visibility: VisibilityFilter | undefined
  defaultTlp: TlpLevel
  /** An unauthenticated reader: sees only TLP:CLEAR, so its reads are never audited. */
  isPublic: boolean
}

/**
 * Builds the TAXII 2.1 app over a store and an authenticator. Every endpoint needs an
 * authenticated principal except the GETs public collections need; collections are visible
 * to principals holding a grant on them (node admins see all), and every read goes through the
 * sharing rule.
 */
export function createTaxiiApp(deps: TaxiiAppDeps): Hono {
  const { store, authenticator } = deps
  const clock = deps.clock ?? (() => Date.now() * 1000)
  const log = deps.log ?? ((line: string) => void process.stderr.write(`${line}\n`))
  const audit = deps.audit ?? new AuditLog(store, { now: clock })
  const settings = deps.settings ?? {}
  const applySharingRule = settings.applySharingRule ?? true
  const maxPageSize = Math.max(1, settings.maxPageSize ?? MAX_PAGE_SIZE)
  const defaultPageSize = Math.min(
    maxPageSize,
    Math.max(1, settings.defaultPageSize ?? DEFAULT_PAGE_SIZE),
  )
  const tokens = new NextTokens(store)
  let lastPurgeMicros = 0

  const app = new Hono()

  app.onError((error, c) => renderError(c, error, log))
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname
    const hint = path.endsWith('/') ? '' : '; TAXII 2.1 endpoint paths end with "/" (section 3.1)'
    return renderError(c, notFound(`no TAXII endpoint at ${path}${hint}`), log)
  })

  function unauthorized(): AppError {
    return new AppError('TAXII_UNAUTHORIZED', {
      detail: 'send HTTP Basic credentials or an API key as "Authorization: Bearer <key>"',
    })
  }

  // Section 1.6.8 and 3.1: a response must be acceptable to the client, else 406.
  app.use('*', async (c, next) => {
    if (!acceptsTaxii(c.req.header('Accept'))) {
      throw new AppError('TAXII_NOT_ACCEPTABLE', {
        detail: `the Accept header must allow ${TAXII_MEDIA_TYPE} (TAXII 2.1 section 1.6.8)`,
      })
    }
    const outcome = await authenticator.authenticate(c.req.header('Authorization'))
    switch (outcome.kind) {
      case 'anonymous':
        // Only reads can be public; which ones is decided by each route (public collections).
        if (c.req.method !== 'GET' && c.req.method !== 'HEAD') throw unauthorized()
        c.set('taxiiCaller', undefined)
        break
      case 'rejected':
        throw new AppError('TAXII_UNAUTHORIZED', { detail: outcome.reason })
      case 'authenticated':
        c.set('taxiiCaller', outcome.principal)
    }
    await next()
  })

  /** The authenticated caller, or 401 for an endpoint that is never public. */
  function principalOf(c: Context): Principal {
    const principal = c.get('taxiiCaller')
    if (principal === undefined) throw unauthorized()
    return principal
  }

  async function record(event: AuditEvent): Promise<void> {
    await audit.append(event)
  }

  async function auditDenied(
    c: Context,
    action: AuditAction,
    collection: Collection,
    reason: string,
    ids: readonly string[] = [],
  ): Promise<void> {
    const principal = c.get('taxiiCaller')
    if (principal === undefined) return
    const { objectIds, otherIds } = auditIds(ids)
    const details: Record<string, JsonValue> = {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      reason,
      org: principal.orgId,
      user: principal.userId,
    }
    if (otherIds.length > 0) details['requestedIds'] = otherIds
    await record({
      actor: actorOf(principal),
      action,
      objectIds,
      collectionId: collection.id,
      outcome: 'denied',
      details,
    })
  }

  function query(c: Context, endpoint: EndpointKind): TaxiiQuery {
    return parseTaxiiQuery(new URL(c.req.url).searchParams, endpoint)
  }

  function pageSize(q: TaxiiQuery): number {
    return Math.min(q.limit ?? defaultPageSize, maxPageSize)
  }

  async function apiRootOf(c: Context): Promise<ApiRoot> {
    const path = c.req.param('root') ?? ''
    const root = await store.getApiRootByPath(path)
    if (!root) throw notFound(`no API root /${path}/`)
    return root
  }

  /** The collection named by the path (id or alias) and the principal's access to it. */
  async function collectionOf(
    c: Context,
    root: ApiRoot,
  ): Promise<{ collection: Collection; access: CollectionAccess; nodeOrgId: string | undefined }> {
    const principal = c.get('taxiiCaller')
    const key = c.req.param('collectionId') ?? ''
    let collection = await store.getCollection(key)
    if (!collection || collection.apiRootId !== root.id) {
      // Section 5.2.1: an alias may stand for the id in the URL.
      collection = await store.getCollectionByAlias(key)
    }
    // Without credentials only public collections exist: anything else asks for credentials,
    // whether it exists or not, so nothing is learnt about it.
    // Built only when thrown: an error captures a stack trace, too dear for every request.
    const missing = () =>
      principal === undefined
        ? unauthorized()
        : notFound(`no collection ${key} in API root /${root.path}/`)
    if (!collection || collection.apiRootId !== root.id) throw missing()
    const [grants, nodeOrgId] = await Promise.all([
      principal === undefined ? [] : store.listCollectionGrants(collection.id),
      readNodeOrgId(store),
    ])
    const access = collectionAccess(principal, grants, { nodeOrgId, public: collection.public })
    // A collection the principal holds no grant on is reported as absent (sections 5.2-5.8).
    if (!access.visible) throw missing()
    return { collection, access, nodeOrgId }
  }

  async function requireRead(
    c: Context,
    access: CollectionAccess,
    collection: Collection,
  ): Promise<void> {
    if (!access.canRead) {
      await auditDenied(c, 'read', collection, 'can_read is false')
      throw new AppError('TAXII_FORBIDDEN', {
        detail: `no read access to collection ${collection.id} (can_read is false)`,
      })
    }
  }

  /** The viewer's store filter for this request (group memberships read now). */
  async function readSharing(
    c: Context,
    collection: Collection,
    nodeOrgId: string | undefined,
  ): Promise<ReadSharing> {
    const principal = c.get('taxiiCaller')
    const defaultTlp = await readDefaultTlp(store)
    const isPublic = principal === undefined
    if (!applySharingRule) return { visibility: undefined, defaultTlp, isPublic }
    const viewer = viewerOf(principal, nodeOrgId)
    const visibility = await visibilityFilterOf(store, viewer, collection, defaultTlp)
    return { visibility, defaultTlp, isPublic }
  }

  /** Replaces `created_by_ref` in the versions the viewer must receive anonymised. */
  async function unmask(page: ReadJsonPage): Promise<void> {
    if (!page.masked.includes(true)) return
    const allianceId = await readAllianceIdentityId(store)
    if (allianceId === undefined) {
      throw new AppError('TAXII_INTERNAL', {
        detail:
          'an anonymously published object cannot be served: no alliance identity is configured (setting sharing.alliance_identity_id, or node.org_id)',
      })
    }
    page.json = page.json.map((json, i) =>
      page.masked[i] === true ? anonymise(json, allianceId) : json,
    )
  }

  /** One audit entry for a read that returned any version above TLP:CLEAR (issue 5). */
  async function auditRead(
    c: Context,
    collection: Collection,
    sharing: ReadSharing,
    endpoint: string,
    versions: readonly { id: string; tlp: TlpLevel }[],
  ): Promise<void> {
    const principal = c.get('taxiiCaller')
    if (principal === undefined || sharing.isPublic) return
    const ids = new Set<string>()
    for (const version of versions) if (version.tlp !== 'clear') ids.add(version.id)
    if (ids.size === 0) return
    // Stored ids passed the STIX validator, so they need no `auditIds` sorting here (the audit
    // log still checks each); on a 1,000-object page that check cost more than the append.
    const objectIds = [...ids]
    const details: Record<string, JsonValue> = {
      endpoint,
      org: principal.orgId,
      user: principal.userId,
      versions: versions.length,
    }
    await record({
      actor: actorOf(principal),
      action: 'read',
      objectIds,
      collectionId: collection.id,
      outcome: 'success',
      details,
    })
  }

  /** The ids and TLPs of a JSON page, for its audit entry (from the store's columns). */
  function jsonVersions(page: ReadJsonPage, sharing: ReadSharing): { id: string; tlp: TlpLevel }[] {
    if (sharing.isPublic) return []
    return page.ids.map((id, i) => ({ id, tlp: page.tlp[i] ?? sharing.defaultTlp }))
  }

  async function readPage<P extends PageBounds>(
    scope: FilterScope,
    q: TaxiiQuery,
    read: PageReader<P>,
  ): Promise<{ page: P; next?: string }> {
    const afterMicros = q.next === undefined ? undefined : await tokens.verify(q.next, scope)
    const page = await read(
      afterMicros === undefined ? { limit: pageSize(q) } : { limit: pageSize(q), afterMicros },
    )
    if (page.more && page.lastMicros !== undefined) {
      return { page, next: await tokens.issue(scope, page.lastMicros) }
    }
    return { page }
  }

  /**
   * 404 unless the collection holds some version of the object that the viewer may see. A page
   * that found versions proves it without another query.
   */
  async function requireObject(
    collection: Collection,
    objectId: string,
    visibility: VisibilityFilter | undefined,
    found?: number,
  ): Promise<void> {
    if (found !== undefined && found > 0) return
    if (!(await objectExists(store, collection.id, objectId, visibility))) {
      // The same body whether the object is absent or only invisible to this viewer.
      throw notFound(`no object ${objectId} in collection ${collection.id}`)
    }
  }

  function collectionFilter(q: TaxiiQuery, sharing: ReadSharing): ObjectFilter {
    const filter: ObjectFilter = {}
    if (q.addedAfter) filter.addedAfterMicros = q.addedAfter.micros
    if (q.ids) filter.ids = q.ids
    if (q.types) filter.types = q.types
    if (q.versions) filter.versions = q.versions.match
    if (q.specVersions) filter.specVersions = q.specVersions
    if (sharing.visibility) filter.visibility = sharing.visibility
    return filter
  }

  function scopeOf(
    kind: string,
    collection: Collection,
    q: TaxiiQuery,
    objectId?: string,
  ): FilterScope {
    return [
      kind,
      collection.id,
      objectId ?? null,
      q.addedAfter?.text ?? null,
      q.ids ?? null,
      q.types ?? null,
      q.versions?.text ?? null,
      q.specVersions ?? null,
    ]
  }

  function envelopeBody(page: ReadJsonPage, next?: string): string {
    // Objects are written out exactly as stored (anonymised ones spliced), not re-serialised.
    let head = `{"more":${page.more}`
    if (next !== undefined) head += `,"next":${JSON.stringify(next)}`
    if (page.json.length === 0) return `${head}}`
    return `${head},"objects":[${page.json.join(',')}]}`
  }

  function methodNotAllowed(allow: string) {
    return (c: Context): never => {
      principalOf(c)
      throw new AppError('TAXII_METHOD_NOT_ALLOWED', {
        detail: `${c.req.method} is not supported here; use ${allow}`,
        details: { allow },
      })
    }
  }

  // 4.1 Server Discovery
  app.get(ROUTES.discovery, async (c) => {
    query(c, 'plain')
    const origin = new URL(c.req.url).origin
    const roots = await store.listApiRoots()
    const discovery: Discovery = { title: settings.title ?? 'intelmesh TAXII server' }
    if (settings.description !== undefined) discovery.description = settings.description
    if (settings.contact !== undefined) discovery.contact = settings.contact
    if (settings.defaultApiRootPath !== undefined) {
      const defaultPath = settings.defaultApiRootPath
      if (roots.some((root) => root.path === defaultPath)) {
        discovery.default = `${origin}/${defaultPath}/`
      }
    }
    if (roots.length > 0) discovery.api_roots = roots.map((root) => `${origin}/${root.path}/`)
    return taxiiResponse(c, 200, JSON.stringify(discovery))
  })
  app.all(ROUTES.discovery, methodNotAllowed('GET'))

  // 4.2 Get API Root Information
  app.get(ROUTES.apiRoot, async (c) => {
    query(c, 'plain')
    const root = await apiRootOf(c)
    const resource: ApiRootResource = {
      title: root.title,
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: root.maxContentLength,
    }
    if (root.description !== null) resource.description = root.description
    return taxiiResponse(c, 200, JSON.stringify(resource))
  })
  app.all(ROUTES.apiRoot, methodNotAllowed('GET'))

  // 4.3 Get Status: only the requester may read it; anyone else gets 404.
  app.get(ROUTES.status, async (c) => {
    const principal = principalOf(c)
    query(c, 'plain')
    const root = await apiRootOf(c)
    const id = c.req.param('statusId')
    const status = await store.getStatus(id)
    const now = microsToTimestamp(clock())
    if (
      !status ||
      status.apiRootId !== root.id ||
      status.ownerUserId !== principal.userId ||
      versionKeyOf(status.expiresAt) < versionKeyOf(now)
    ) {
      throw notFound(`no status ${id} in API root /${root.path}/`)
    }
    return taxiiResponse(c, 200, JSON.stringify(statusResource(status)))
  })
  app.all(ROUTES.status, methodNotAllowed('GET'))

  // 5.1 Get Collections: the visible ones, in a stable order (section 3.3).
  app.get(ROUTES.collections, async (c) => {
    query(c, 'plain')
    const root = await apiRootOf(c)
    const principal = c.get('taxiiCaller')
    const [collections, grants, nodeOrgId] = await Promise.all([
      store.listCollections(root.id),
      principal === undefined ? [] : store.listCollectionGrants(),
      readNodeOrgId(store),
    ])
    const visible: CollectionResource[] = []
    const sorted = [...collections].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    )
    for (const collection of sorted) {
      const access = collectionAccess(
        principal,
        grants.filter((grant) => grant.collectionId === collection.id),
        { nodeOrgId, public: collection.public },
      )
      if (access.visible) visible.push(collectionResource(collection, access))
    }
    const resource: CollectionsResource = visible.length > 0 ? { collections: visible } : {}
    return taxiiResponse(c, 200, JSON.stringify(resource))
  })
  app.all(ROUTES.collections, methodNotAllowed('GET'))

  // 5.2 Get a Collection
  app.get(ROUTES.collection, async (c) => {
    query(c, 'plain')
    const root = await apiRootOf(c)
    const { collection, access } = await collectionOf(c, root)
    return taxiiResponse(c, 200, JSON.stringify(collectionResource(collection, access)))
  })
  app.all(ROUTES.collection, methodNotAllowed('GET'))

  // 5.3 Get Object Manifests
  app.get(ROUTES.manifest, async (c) => {
    const q = query(c, 'manifest')
    const root = await apiRootOf(c)
    const { collection, access, nodeOrgId } = await collectionOf(c, root)
    await requireRead(c, access, collection)
    const sharing = await readSharing(c, collection, nodeOrgId)
    // Objects and manifest share one scope: the same filters page through the same versions.
    const filter = collectionFilter(q, sharing)
    const { page, next } = await readPage(scopeOf('collection', collection, q), q, (p) =>
      readObjectPage(store, collection.id, filter, p),
    )
    const mediaType = collection.mediaTypes[0] ?? STIX_MEDIA_TYPE
    const resource: ManifestResource = { more: page.more }
    if (next !== undefined) resource.next = next
    if (page.items.length > 0) {
      resource.objects = page.items.map((item): ManifestRecord => ({
        id: item.id,
        date_added: item.dateAdded,
        version: item.version,
        media_type: mediaType,
      }))
    }
    await auditRead(
      c,
      collection,
      sharing,
      'manifest',
      page.items.map((item) => ({ id: item.id, tlp: item.tlp ?? sharing.defaultTlp })),
    )
    return taxiiResponse(c, 200, JSON.stringify(resource), dateAddedHeaders(page))
  })
  app.all(ROUTES.manifest, methodNotAllowed('GET'))

  // 5.4 Get Objects
  app.get(ROUTES.objects, async (c) => {
    const q = query(c, 'objects')
    const root = await apiRootOf(c)
    const { collection, access, nodeOrgId } = await collectionOf(c, root)
    await requireRead(c, access, collection)
    const sharing = await readSharing(c, collection, nodeOrgId)
    const filter = collectionFilter(q, sharing)
    const { page, next } = await readPage(scopeOf('collection', collection, q), q, (p) =>
      readObjectJsonPage(store, collection.id, filter, p),
    )
    await auditRead(c, collection, sharing, 'objects', jsonVersions(page, sharing))
    await unmask(page)
    return taxiiResponse(c, 200, envelopeBody(page, next), dateAddedHeaders(page))
  })

  // 5.5 Add Objects
  app.post(ROUTES.objects, async (c) => {
    const principal = principalOf(c)
    const q = query(c, 'add-objects')
    const root = await apiRootOf(c)
    const { collection, access } = await collectionOf(c, root)
    if (!access.canWrite) {
      const reason = principal.role === 'reader' ? 'readers cannot write' : 'can_write is false'
      await auditDenied(c, 'write', collection, reason)
      throw new AppError('TAXII_FORBIDDEN', {
        detail:
          principal.role === 'reader'
            ? `no write access to collection ${collection.id}: the role reader cannot write, whatever the grants`
            : `no write access to collection ${collection.id} (can_write is false)`,
      })
    }
    const contentType = c.req.header('Content-Type')
    if (!isTaxiiContentType(contentType)) {
      throw new AppError('TAXII_UNSUPPORTED_MEDIA_TYPE', {
        detail: `Content-Type must be ${TAXII_MEDIA_TYPE} (TAXII 2.1 section 5.5), got ${contentType ?? 'none'}`,
      })
    }
    const body = await readBodyLimited(c.req.raw, root.maxContentLength)
    const nowMicros = clock()
    const actor =
      principal.peerId !== undefined
        ? `peer:${principal.peerId}`
        : principal.keyId !== undefined
          ? `key:${principal.keyId}`
          : `user:${principal.userId}`
    const writer = {
      userId: principal.userId,
      userName: principal.userName,
      role: principal.role,
      ...(principal.peerId !== undefined ? { peerId: principal.peerId } : {}),
    }
    const status = await addEnvelope(store, {
      collection,
      ownerUserId: principal.userId,
      publisher: { orgId: principal.orgId, actor },
      body,
      nowMicros,
      writer,
      ...(q.sharing ? { sharing: q.sharing } : {}),
    })
    const written = auditIds(status.successes.map((s) => s.id))
    const failed = status.failures
      .slice(0, 50)
      .map((f): JsonValue => ({ id: f.id, version: f.version, message: f.message ?? '' }))
    const details: Record<string, JsonValue> = {
      org: principal.orgId,
      user: principal.userId,
      status: status.id,
      total: status.totalCount,
      succeeded: status.successes.length,
      failed: status.failures.length,
    }
    if (failed.length > 0) details['failures'] = failed
    if (q.sharing) details['sharing'] = JSON.parse(JSON.stringify(q.sharing)) as JsonValue
    await record({
      actor: actorOf(principal),
      action: 'write',
      objectIds: written.objectIds,
      collectionId: collection.id,
      outcome: status.failures.length === 0 || status.successes.length > 0 ? 'success' : 'failure',
      details,
    })
    if (nowMicros - lastPurgeMicros > STATUS_PURGE_INTERVAL_MICROS) {
      lastPurgeMicros = nowMicros
      await store.purgeStatuses(microsToTimestamp(nowMicros))
    }
    return taxiiResponse(c, 202, JSON.stringify(statusResource(status)))
  })
  app.all(ROUTES.objects, methodNotAllowed('GET, POST'))

  // 5.6 Get an Object
  app.get(ROUTES.object, async (c) => {
    const q = query(c, 'object')
    const root = await apiRootOf(c)
    const { collection, access, nodeOrgId } = await collectionOf(c, root)
    await requireRead(c, access, collection)
    const sharing = await readSharing(c, collection, nodeOrgId)
    const objectId = c.req.param('objectId')
    const filter: ObjectFilter = { ...collectionFilter(q, sharing), ids: [objectId] }
    const { page, next } = await readPage(scopeOf('object', collection, q, objectId), q, (p) =>
      readObjectJsonPage(store, collection.id, filter, p),
    )
    await requireObject(collection, objectId, sharing.visibility, page.json.length)
    await auditRead(c, collection, sharing, 'object', jsonVersions(page, sharing))
    await unmask(page)
    return taxiiResponse(c, 200, envelopeBody(page, next), dateAddedHeaders(page))
  })

  // 5.7 Delete an Object: needs both can_read and can_write (the table of section 5.7).
  app.delete(ROUTES.object, async (c) => {
    const principal = principalOf(c)
    const q = query(c, 'delete')
    const root = await apiRootOf(c)
    const { collection, access, nodeOrgId } = await collectionOf(c, root)
    const objectId = c.req.param('objectId')
    if (!access.canRead || !access.canWrite) {
      await auditDenied(c, 'delete', collection, 'needs can_read and can_write', [objectId])
      throw new AppError('TAXII_FORBIDDEN', {
        detail: `deleting from collection ${collection.id} needs can_read and can_write`,
      })
    }
    const sharing = await readSharing(c, collection, nodeOrgId)
    const ids = auditIds([objectId])
    const event = (outcome: AuditEvent['outcome'], details: Record<string, JsonValue>) =>
      record({
        actor: actorOf(principal),
        action: 'delete',
        objectIds: ids.objectIds,
        collectionId: collection.id,
        outcome,
        details: {
          org: principal.orgId,
          user: principal.userId,
          ...(ids.otherIds.length > 0 ? { requestedIds: ids.otherIds } : {}),
          ...details,
        },
      })
    const visibility = sharing.visibility
    let deleted: number
    if (visibility?.kind === 'peer') {
      // A peer retracts what it sent (issue 6, "Retraction travels"): the versions that came
      // from it, which PEER_ECHO hides from its reads, are deletable besides those it sees.
      const deletable = await peerDeletableVersions(collection, objectId, visibility)
      if (deletable.length === 0) {
        await event('failure', {
          reason: 'no such object (or none visible to the caller or sent by it)',
        })
        throw notFound(`no object ${objectId} in collection ${collection.id}`)
      }
      const keys = matchingVersions(deletable, q.versions?.match ?? { kind: 'all' })
        .filter((v) => q.specVersions === undefined || q.specVersions.includes(v.specVersion))
        .map((v) => v.versionKey)
      deleted =
        keys.length === 0
          ? 0
          : await deleteWithTombstone(
              store,
              collection.id,
              objectId,
              { kind: 'exact', keys },
              undefined,
              principal.peerId,
            )
      await event('success', { deletedVersions: deleted })
      return c.body(null, 200, { 'Content-Type': TAXII_MEDIA_TYPE })
    }
    if (!(await objectExists(store, collection.id, objectId, visibility))) {
      await event('failure', { reason: 'no such object (or none visible to the caller)' })
      throw notFound(`no object ${objectId} in collection ${collection.id}`)
    }
    if (visibility === undefined) {
      deleted = await deleteWithTombstone(
        store,
        collection.id,
        objectId,
        q.versions?.match,
        q.specVersions,
        principal.peerId,
      )
    } else {
      // Only the versions this caller may see go: `first`/`last` are among those, and versions
      // hidden from the caller stay, unseen and untouched. Of those, a member deletes only what
      // its own organisation published: no member can erase another's report. Node admins may
      // remove anything they see (moderation).
      const visible = await visibleVersions(collection, objectId, q, visibility)
      const own =
        visibility.kind === 'user' && !visibility.isNodeAdmin
          ? visible.filter((v) => v.publisherOrgId === visibility.orgId)
          : visible
      if (own.length === 0 && visible.length > 0) {
        await auditDenied(
          c,
          'delete',
          collection,
          'only the publishing organisation deletes its versions',
          [objectId],
        )
        throw new AppError('TAXII_FORBIDDEN', {
          detail: `${objectId}: only the organisation that published a version may delete it (or a node admin)`,
        })
      }
      const keys = own.map((v) => v.versionKey)
      deleted =
        keys.length === 0
          ? 0
          : await deleteWithTombstone(
              store,
              collection.id,
              objectId,
              { kind: 'exact', keys },
              q.specVersions,
              principal.peerId,
            )
    }
    await event('success', { deletedVersions: deleted })
    return c.body(null, 200, { 'Content-Type': TAXII_MEDIA_TYPE })
  })
  app.all(ROUTES.object, methodNotAllowed('GET, DELETE'))

  /**
   * The versions of an object a peer may delete: those that came from it (`originPeer`), which
   * is how a deletion at the origin travels (issue 6, "Retraction travels").
   */
  async function peerDeletableVersions(
    collection: Collection,
    objectId: string,
    visibility: Extract<VisibilityFilter, { kind: 'peer' }>,
  ): Promise<StoredObjectVersion[]> {
    // Only what came from it: a peer never deletes what this node's members published or
    // what another peer sent, even when it may read it.
    const all = await store.getObjectVersions(collection.id, objectId)
    return all.filter((v) => v.originPeer === visibility.peerId)
  }

  /** The object's versions that match the DELETE and the viewer sees. */
  async function visibleVersions(
    collection: Collection,
    objectId: string,
    q: TaxiiQuery,
    visibility: VisibilityFilter,
  ): Promise<StoredObjectVersion[]> {
    const found = new Map<string, StoredObjectVersion>()
    const base: ObjectQuery = {
      collectionId: collection.id,
      ids: [objectId],
      versions: q.versions?.match ?? { kind: 'all' },
      limit: 1000,
      visibility,
    }
    if (q.specVersions) base.specVersions = q.specVersions
    let afterMicros: number | undefined
    for (;;) {
      const page = await store.queryObjects(
        afterMicros === undefined ? base : { ...base, afterMicros },
      )
      for (const item of page.items) found.set(item.versionKey, item)
      const last = page.items.at(-1)
      if (!page.more || last === undefined) return [...found.values()]
      afterMicros = last.dateAddedMicros
    }
  }

  // 5.8 Get Object Versions
  app.get(ROUTES.versions, async (c) => {
    const q = query(c, 'versions')
    const root = await apiRootOf(c)
    const { collection, access, nodeOrgId } = await collectionOf(c, root)
    await requireRead(c, access, collection)
    const sharing = await readSharing(c, collection, nodeOrgId)
    const objectId = c.req.param('objectId')
    const filter: ObjectFilter = {
      ...collectionFilter(q, sharing),
      ids: [objectId],
      versions: { kind: 'all' },
    }
    const { page, next } = await readPage(scopeOf('versions', collection, q, objectId), q, (p) =>
      readObjectPage(store, collection.id, filter, p),
    )
    await requireObject(collection, objectId, sharing.visibility, page.items.length)
    const resource: VersionsResource = { more: page.more }
    if (next !== undefined) resource.next = next
    if (page.items.length > 0) resource.versions = page.items.map((item) => item.version)
    await auditRead(
      c,
      collection,
      sharing,
      'versions',
      page.items.map((item) => ({ id: item.id, tlp: item.tlp ?? sharing.defaultTlp })),
    )
    return taxiiResponse(c, 200, JSON.stringify(resource), dateAddedHeaders(page))
  })
  app.all(ROUTES.versions, methodNotAllowed('GET'))

  return app
}

/**
 * The versions among `versions` that `match` names (TAXII 2.1 section 3.4.1, `match[version]`):
 * `first` and `last` are the lowest and highest `versionKey` among `versions` themselves.
 */
function matchingVersions(
  versions: readonly StoredObjectVersion[],
  match: VersionMatch,
): StoredObjectVersion[] {
  const keys = versions.map((v) => v.versionKey).sort()
  const wanted = new Set<string>()
  const collect = (m: VersionMatch): void => {
    switch (m.kind) {
      case 'all':
        for (const key of keys) wanted.add(key)
        break
      case 'first':
        if (keys[0] !== undefined) wanted.add(keys[0])
        break
      case 'last': {
        const last = keys.at(-1)
        if (last !== undefined) wanted.add(last)
        break
      }
      case 'exact':
        for (const key of m.keys) wanted.add(key)
        break
      case 'union':
        for (const part of m.parts) collect(part)
        break
    }
  }
  collect(match)
  return versions.filter((v) => wanted.has(v.versionKey))
}
