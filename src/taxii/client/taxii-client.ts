/**
 * The TAXII 2.1 client: every endpoint of TAXII 2.1 sections 4 and 5, over fetch, with
 * timeouts, retries and paging that works against any conforming server.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { z } from 'zod'
import {
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  apiRootResourceSchema,
  collectionResourceSchema,
  collectionsResourceSchema,
  discoverySchema,
  errorMessageSchema,
  manifestResourceSchema,
  statusResourceSchema,
  taxiiTimestampSchema,
  versionsResourceSchema,
  type ApiRootResource,
  type CollectionResource,
  type Discovery,
  type ErrorMessage,
  type ManifestRecord,
  type StatusResource,
} from '../resources.js'
import {
  filterParams,
  queryString,
  type DeleteFilters,
  type ObjectByIdFilters,
  type ObjectFilters,
  type VersionsFilters,
} from './build-query.js'
import { isTaxii21MediaType } from './media-type.js'
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  type RetrySettings,
} from './retry-policy.js'
import { TaxiiHttpError, TaxiiNetworkError, TaxiiResponseError } from './taxii-errors.js'
import {
  ResponseTooLargeError,
  createTlsFetch,
  type FetchLike,
  type TaxiiTlsOptions,
} from './tls-fetch.js'

/** Credentials: HTTP Basic (RFC 7617, section 1.6.9) or a bearer token (RFC 6750). */
export type TaxiiAuth = { basic: { user: string; password: string } } | { bearer: string }

/** Settings of a {@link TaxiiClient}; only `url` is required. */
export interface TaxiiClientOptions {
  /**
   * The server: its base URL (`https://taxii.example.org/`) or its discovery URL
   * (`https://taxii.example.org/taxii2/`). API roots given by name resolve against it.
   */
  url: string | URL
  /** Credentials sent with every request; none by default. */
  auth?: TaxiiAuth | undefined
  /** Time limit of one attempt, response body included, in milliseconds (default 30,000). */
  timeoutMs?: number
  /**
   * Retries after a network error, a timeout, 429 or a 5xx answer (default 3). 4xx answers
   * are never retried.
   */
  retries?: number
  /** First backoff window in milliseconds (default 250); it doubles with each retry. */
  retryBaseDelayMs?: number
  /**
   * Longest wait between attempts in milliseconds (default 30,000). A server asking, through
   * `Retry-After`, for a longer wait gets its error thrown instead.
   */
  maxRetryDelayMs?: number
  /** The fetch to use (default: the global fetch). Cannot be combined with `tls`. */
  fetch?: FetchLike
  /** Custom CA, client certificate and key for HTTPS (served over `node:https`). */
  tls?: TaxiiTlsOptions
  /** `User-Agent` of the requests (section 3.2; default `intelmesh-taxii-client`). */
  userAgent?: string
  /**
   * Largest response body accepted, in bytes (default 256 MiB); a longer one is cut off and
   * throws {@link TaxiiResponseError}, so a hostile server cannot exhaust memory.
   */
  maxResponseBytes?: number
}

/** Per-call options. */
export interface RequestOptions {
  /** Cancels the call, including retries and waits. */
  signal?: AbortSignal
}

/** A STIX object as it arrives in an envelope: `type` and `id` checked, the rest as sent. */
export interface TaxiiObject {
  type: string
  id: string
  [property: string]: unknown
}

/** One page of a paged endpoint (TAXII 2.1 section 3.5). */
export interface TaxiiPage<T> {
  /** The URL this page was read from. */
  url: string
  /** The items of this page, in the server's order (date added, ascending; section 3.3). */
  items: T[]
  /** True when the server has more after this page. */
  more: boolean
  /** The server's opaque `next` value, if it gave one. */
  next?: string
  /** `X-TAXII-Date-Added-First` of the response, if present (section 3.2). */
  dateAddedFirst?: string
  /** `X-TAXII-Date-Added-Last` of the response, if present (section 3.2). */
  dateAddedLast?: string
}

/** Paging position: the server's `next` value (section 3.4). */
export interface PageCursor {
  next?: string
}

/** Options of {@link TaxiiClient.addObjects}. */
export interface AddObjectsOptions extends RequestOptions {
  /** Poll the status until it is `complete` (default true). */
  wait?: boolean
  /** Give up polling after this many milliseconds and return the last status (default 60,000). */
  statusTimeoutMs?: number
  /** First wait between status polls in milliseconds (default 500); it doubles each time. */
  pollIntervalMs?: number
  /** Longest wait between status polls in milliseconds (default 5,000). */
  maxPollIntervalMs?: number
}

/** An API root: its URL (absolute or relative to the client's `url`) or its name (`api1`). */
export type ApiRootRef = string | URL

const DEFAULT_TIMEOUT_MS = 30_000
const DEFAULT_RETRIES = 3
const DEFAULT_RETRY_BASE_MS = 250
const DEFAULT_MAX_RETRY_MS = 30_000
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024
const BODY_SNIPPET = 300

interface Fetched {
  status: number
  headers: Headers
  text: string
  method: string
  url: string
}

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = current.cause
  }
  return undefined
}

function describeNetworkError(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    // OpenSSL messages carry the library, function, source file and line; keep the reason.
    const openssl = /SSL routines:[^:]*:([^:]+):/.exec(current.message)
    const message = (openssl?.[1] ?? current.message).trim()
    if (message !== '') parts.push(message)
    current = current.cause
  }
  const code = errorCodeOf(error)
  const text = parts.join(': ') || String(error)
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text
}

/** TLS verification failures do not go away by retrying. */
function isPermanentNetworkError(error: unknown): boolean {
  const code = errorCodeOf(error)
  return (
    code !== undefined &&
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|ERR_INVALID_URL|HOSTNAME_MISMATCH/.test(code)
  )
}

function snippet(text: string): string | undefined {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat === '') return undefined
  return flat.length > BODY_SNIPPET ? `${flat.slice(0, BODY_SNIPPET)}...` : flat
}

function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`
}

function objectKey(object: TaxiiObject): string {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '')
  const version = text(object['modified']) || text(object['created'])
  return `${object.id}\u0000${version}\u0000${text(object['spec_version'])}`
}

/**
 * A TAXII 2.1 client (TAXII 2.1 sections 3 to 5): discovery, API roots, collections,
 * manifests, objects, versions, add (with status polling) and delete.
 *
 * Every request sends `Accept: application/taxii+json;version=2.1` and checks the response's
 * media type and shape against the TAXII resource it should be. Network errors, timeouts, 429
 * and 5xx answers are retried with exponential backoff and full jitter, honouring
 * `Retry-After`; 4xx answers are not. Failures throw {@link TaxiiHttpError},
 * {@link TaxiiResponseError} or {@link TaxiiNetworkError}.
 *
 * @example
 * ```ts
 * const client = new TaxiiClient({
 *   url: 'https://taxii.example.org/',
 *   auth: { basic: { user: 'alice', password: 'secret' } },
 * })
 * const { api_roots = [] } = await client.discovery()
 * for (const root of api_roots) {
 *   for (const collection of await client.collections(root)) {
 *     for await (const object of client.objects(root, collection.id, { type: 'indicator' })) {
 *       console.log(object.id)
 *     }
 *   }
 * }
 * client.close()
 * ```
 */
export class TaxiiClient {
  private readonly serverBase: URL
  private readonly authorization: string | undefined
  private readonly timeoutMs: number
  private readonly retry: RetrySettings
  private readonly fetchImpl: FetchLike
  private readonly userAgent: string
  private readonly maxResponseBytes: number
  private readonly closeTransport: () => void

  constructor(options: TaxiiClientOptions) {
    let base: URL
    try {
      base = new URL(options.url)
    } catch (error) {
      throw new RangeError(`TaxiiClient: url is not a valid URL: ${String(options.url)}`, {
        cause: error,
      })
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new RangeError(`TaxiiClient: url must be http: or https:, got ${base.protocol}`)
    }
    let auth = options.auth
    if (base.username !== '' || base.password !== '') {
      // fetch refuses URLs with credentials; take them as Basic credentials instead.
      if (auth === undefined) {
        auth = {
          basic: {
            user: decodeUserInfo(base.username),
            password: decodeUserInfo(base.password),
          },
        }
      }
      base.username = ''
      base.password = ''
    }
    base.search = ''
    base.hash = ''
    base.pathname = withTrailingSlash(base.pathname).replace(/\/taxii2\/$/, '/')
    this.serverBase = base
    this.authorization = authorizationHeader(auth)
    this.timeoutMs = positive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS)
    this.retry = {
      retries: nonNegativeInteger('retries', options.retries, DEFAULT_RETRIES),
      baseDelayMs: positive('retryBaseDelayMs', options.retryBaseDelayMs, DEFAULT_RETRY_BASE_MS),
      maxDelayMs: positive('maxRetryDelayMs', options.maxRetryDelayMs, DEFAULT_MAX_RETRY_MS),
    }
    this.userAgent = options.userAgent ?? 'intelmesh-taxii-client'
    this.maxResponseBytes = positive(
      'maxResponseBytes',
      options.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
    )
    if (options.tls !== undefined) {
      if (options.fetch !== undefined) {
        throw new RangeError('TaxiiClient: give either fetch or tls, not both')
      }
      const transport = createTlsFetch(options.tls, this.maxResponseBytes)
      this.fetchImpl = transport.fetch
      this.closeTransport = () => transport.close()
    } else {
      this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init))
      this.closeTransport = () => undefined
    }
  }

  /** Releases the client's pooled connections (only held when `tls` is set). */
  close(): void {
    this.closeTransport()
  }

  /** The discovery URL (section 4.1): `<server>/taxii2/`. */
  get discoveryUrl(): string {
    return new URL('taxii2/', this.serverBase).href
  }

  /**
   * The absolute URL of an API root, with its trailing slash (section 3.1). A bare name
   * (`api1`) resolves against the client's server URL; URLs from discovery are used as given.
   */
  apiRootUrl(root: ApiRootRef): string {
    const url = new URL(typeof root === 'string' ? root : root.href, this.serverBase)
    url.pathname = withTrailingSlash(url.pathname)
    url.search = ''
    url.hash = ''
    return url.href
  }

  /** Server Discovery (section 4.1). */
  async discovery(options: RequestOptions = {}): Promise<Discovery> {
    return (await this.getResource(this.discoveryUrl, discoverySchema, options)).value
  }

  /** Get API Root Information (section 4.2). */
  async apiRoot(root: ApiRootRef, options: RequestOptions = {}): Promise<ApiRootResource> {
    return (await this.getResource(this.apiRootUrl(root), apiRootResourceSchema, options)).value
  }

  /** Get Collections (section 5.1): an empty list when the server lists none. */
  async collections(root: ApiRootRef, options: RequestOptions = {}): Promise<CollectionResource[]> {
    const url = `${this.apiRootUrl(root)}collections/`
    const { value } = await this.getResource(url, collectionsResourceSchema, options)
    return value.collections ?? []
  }

  /** Get a Collection (section 5.2). */
  async collection(
    root: ApiRootRef,
    collectionId: string,
    options: RequestOptions = {},
  ): Promise<CollectionResource> {
    const url = this.collectionUrl(root, collectionId)
    return (await this.getResource(url, collectionResourceSchema, options)).value
  }

  /** Get Status (section 4.3). */
  async status(
    root: ApiRootRef,
    statusId: string,
    options: RequestOptions = {},
  ): Promise<StatusResource> {
    const url = `${this.apiRootUrl(root)}status/${segment('statusId', statusId)}/`
    return (await this.getResource(url, statusResourceSchema, options)).value
  }

  /**
   * One page of Get Object Manifests (section 5.3). Pass the previous page's `next` to go on.
   */
  async manifestPage(
    root: ApiRootRef,
    collectionId: string,
    filters: ObjectFilters & PageCursor = {},
    options: RequestOptions = {},
  ): Promise<TaxiiPage<ManifestRecord>> {
    const url = `${this.collectionUrl(root, collectionId)}manifest/${pagedQuery(filters)}`
    // Section 5.3 lists both media types as the required Accept of this endpoint.
    const { value, headers } = await this.getResource(
      url,
      manifestResourceSchema,
      options,
      `${TAXII_MEDIA_TYPE},${STIX_MEDIA_TYPE}`,
    )
    return pageOf(value.objects ?? [], value, { headers, url })
  }

  /**
   * Every manifest record matching `filters`, page after page (section 3.5).
   * @example
   * ```ts
   * for await (const record of client.manifest('api1', collectionId, { addedAfter: since })) {
   *   console.log(record.id, record.version, record.date_added)
   * }
   * ```
   */
  manifest(
    root: ApiRootRef,
    collectionId: string,
    filters: ObjectFilters = {},
    options: RequestOptions = {},
  ): AsyncGenerator<ManifestRecord> {
    return this.paginate(
      filters,
      (cursor) => this.manifestPage(root, collectionId, cursor, options),
      (record) => `${record.id}\u0000${record.version}`,
    )
  }

  /** One page of Get Objects (section 5.4). Pass the previous page's `next` to go on. */
  async objectsPage(
    root: ApiRootRef,
    collectionId: string,
    filters: ObjectFilters & PageCursor = {},
    options: RequestOptions = {},
  ): Promise<TaxiiPage<TaxiiObject>> {
    const url = `${this.collectionUrl(root, collectionId)}objects/${pagedQuery(filters)}`
    return this.envelopePage(url, options)
  }

  /**
   * Every object matching `filters` (section 5.4), following `next` while `more` is true, or,
   * when the server gives no `next`, `added_after` set to the last `X-TAXII-Date-Added-Last`
   * (section 3.5). Each object version is yielded once, even from a server that ignores
   * `limit` or repeats pages, and the iteration ends when a page brings nothing new. To do
   * so it remembers one short key per object version yielded (tens of bytes each).
   *
   * @example
   * ```ts
   * for await (const indicator of client.objects('api1', collectionId, { type: 'indicator' })) {
   *   console.log(indicator.id)
   * }
   * ```
   */
  objects(
    root: ApiRootRef,
    collectionId: string,
    filters: ObjectFilters = {},
    options: RequestOptions = {},
  ): AsyncGenerator<TaxiiObject> {
    return this.paginate(
      filters,
      (cursor) => this.objectsPage(root, collectionId, cursor, options),
      objectKey,
    )
  }

  /** One page of Get an Object (section 5.6). */
  async getObjectPage(
    root: ApiRootRef,
    collectionId: string,
    objectId: string,
    filters: ObjectByIdFilters & PageCursor = {},
    options: RequestOptions = {},
  ): Promise<TaxiiPage<TaxiiObject>> {
    const url = `${this.objectUrl(root, collectionId, objectId)}${pagedQuery(filters)}`
    return this.envelopePage(url, options)
  }

  /**
   * Get an Object (section 5.6): the versions of one object the filters select (by default
   * its latest), across all pages.
   * @example
   * ```ts
   * const [latest] = await client.getObject('api1', collectionId, 'indicator--…')
   * const all = await client.getObject('api1', collectionId, 'indicator--…', { version: 'all' })
   * ```
   */
  async getObject(
    root: ApiRootRef,
    collectionId: string,
    objectId: string,
    filters: ObjectByIdFilters = {},
    options: RequestOptions = {},
  ): Promise<TaxiiObject[]> {
    const objects: TaxiiObject[] = []
    const pages = this.paginate(
      filters,
      (cursor) => this.getObjectPage(root, collectionId, objectId, cursor, options),
      objectKey,
    )
    for await (const object of pages) objects.push(object)
    return objects
  }

  /** One page of Get Object Versions (section 5.8). */
  async objectVersionsPage(
    root: ApiRootRef,
    collectionId: string,
    objectId: string,
    filters: VersionsFilters & PageCursor = {},
    options: RequestOptions = {},
  ): Promise<TaxiiPage<string>> {
    const url = `${this.objectUrl(root, collectionId, objectId)}versions/${pagedQuery(filters)}`
    const { value, headers } = await this.getResource(url, versionsResourceSchema, options)
    return pageOf(value.versions ?? [], value, { headers, url })
  }

  /** Every version (`modified` value) of one object (section 5.8), across all pages. */
  objectVersions(
    root: ApiRootRef,
    collectionId: string,
    objectId: string,
    filters: VersionsFilters = {},
    options: RequestOptions = {},
  ): AsyncGenerator<string> {
    return this.paginate(
      filters,
      (cursor) => this.objectVersionsPage(root, collectionId, objectId, cursor, options),
      (version) => version,
    )
  }

  /**
   * Add Objects (section 5.5): POSTs the objects in one envelope, then polls the status
   * resource (section 4.3) with a growing interval until it is `complete`. Returns that status;
   * if `statusTimeoutMs` passes first, returns the last status seen, still `pending`.
   * The POST is retried like any request. That is safe because a version is identified by
   * `id` and `modified` (STIX 2.1 section 3.2, `id`), so re-sending it yields the same version.
   * The envelope is sent whole; keep it under the API root's `max_content_length`
   * (section 4.2.1), else the server answers 413.
   *
   * @example
   * ```ts
   * const status = await client.addObjects('api1', collectionId, [indicator, malware])
   * if (status.failure_count > 0) console.log(status.failures)
   * ```
   */
  async addObjects(
    root: ApiRootRef,
    collectionId: string,
    objects: readonly object[],
    options: AddObjectsOptions = {},
  ): Promise<StatusResource> {
    if (objects.length === 0) {
      throw new RangeError('addObjects: give at least one object (TAXII lists are never empty)')
    }
    const url = `${this.collectionUrl(root, collectionId)}objects/`
    const body = JSON.stringify({ objects })
    const fetched = await this.send('POST', url, body, options.signal)
    let status = this.parseResource(fetched, statusResourceSchema)
    if (options.wait === false || status.status === 'complete') return status

    const timeoutMs = options.statusTimeoutMs ?? 60_000
    const maxInterval = options.maxPollIntervalMs ?? 5000
    let interval = Math.min(options.pollIntervalMs ?? 500, maxInterval)
    const deadline = Date.now() + timeoutMs
    while (status.status !== 'complete') {
      const remaining = deadline - Date.now()
      if (remaining <= 0) return status
      await pause(Math.min(interval, remaining), options.signal)
      interval = Math.min(interval * 2, maxInterval)
      status = await this.status(root, status.id, options)
    }
    return status
  }

  /**
   * Delete an Object (section 5.7): by default the server removes every version; `version`
   * and `specVersion` narrow it down.
   */
  async deleteObject(
    root: ApiRootRef,
    collectionId: string,
    objectId: string,
    filters: DeleteFilters = {},
    options: RequestOptions = {},
  ): Promise<void> {
    const url = `${this.objectUrl(root, collectionId, objectId)}${queryString(filterParams(filters))}`
    await this.send('DELETE', url, undefined, options.signal)
  }

  private collectionUrl(root: ApiRootRef, collectionId: string): string {
    return `${this.apiRootUrl(root)}collections/${segment('collectionId', collectionId)}/`
  }

  private objectUrl(root: ApiRootRef, collectionId: string, objectId: string): string {
    return `${this.collectionUrl(root, collectionId)}objects/${segment('objectId', objectId)}/`
  }

  private async envelopePage(
    url: string,
    options: RequestOptions,
  ): Promise<TaxiiPage<TaxiiObject>> {
    const fetched = await this.get(url, options)
    const json = this.parseJson(fetched)
    // Checked by hand rather than with envelopeSchema: pages hold thousands of objects, which
    // a schema would copy one by one; here they are handed on as parsed.
    const problems: string[] = []
    let envelope: { more?: unknown; next?: unknown; objects?: unknown } = {}
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      problems.push('(body): expected an envelope object (section 3.7)')
    } else {
      envelope = json
      if (envelope.more !== undefined && typeof envelope.more !== 'boolean') {
        problems.push(`more: expected a boolean, got ${typeof envelope.more}`)
      }
      if (envelope.next !== undefined && typeof envelope.next !== 'string') {
        problems.push(`next: expected a string, got ${typeof envelope.next}`)
      }
      if (envelope.objects !== undefined && !Array.isArray(envelope.objects)) {
        problems.push(`objects: expected a list, got ${typeof envelope.objects}`)
      }
    }
    const objects = Array.isArray(envelope.objects) ? (envelope.objects as unknown[]) : []
    const bad = objects.findIndex(
      (object) =>
        object === null ||
        typeof object !== 'object' ||
        typeof (object as Record<string, unknown>)['type'] !== 'string' ||
        typeof (object as Record<string, unknown>)['id'] !== 'string',
    )
    if (bad >= 0) {
      problems.push(
        `objects.${bad}: a STIX object needs string "type" and "id" properties (section 3.7)`,
      )
    }
    if (problems.length > 0) {
      throw new TaxiiResponseError(
        fetched.method,
        fetched.url,
        fetched.status,
        `the body is not a TAXII envelope: ${problems.join('; ')}`,
      )
    }
    const resource: { more?: boolean; next?: string } = {}
    if (typeof envelope.more === 'boolean') resource.more = envelope.more
    if (typeof envelope.next === 'string') resource.next = envelope.next
    return pageOf(objects as TaxiiObject[], resource, fetched)
  }

  /**
   * Walks pages (section 3.5): `next` while the server gives one, else `added_after` from
   * `X-TAXII-Date-Added-Last`. Yields each key once and stops when a page brings nothing new,
   * so a server that ignores `limit`, repeats a page or never advances cannot loop forever.
   */
  private async *paginate<T, F extends { addedAfter?: string | Date }>(
    filters: F,
    fetchPage: (cursor: F & PageCursor) => Promise<TaxiiPage<T>>,
    keyOf: (item: T) => string,
  ): AsyncGenerator<T> {
    const seen = new Set<string>()
    let cursor: F & PageCursor = { ...filters }
    for (;;) {
      const page = await fetchPage(cursor)
      let fresh = 0
      for (const item of page.items) {
        const key = keyOf(item)
        if (seen.has(key)) continue
        seen.add(key)
        fresh += 1
        yield item
      }
      if (!page.more || fresh === 0) return
      if (page.next !== undefined && page.next !== '') {
        // Section 3.5: the same original query options, plus `next`.
        cursor = { ...filters, next: page.next }
      } else if (page.dateAddedLast !== undefined) {
        if (!taxiiTimestampSchema.safeParse(page.dateAddedLast).success) {
          throw new TaxiiResponseError(
            'GET',
            page.url,
            200,
            `X-TAXII-Date-Added-Last is not a TAXII timestamp: "${page.dateAddedLast}" (section 3.2)`,
          )
        }
        cursor = { ...filters, addedAfter: page.dateAddedLast }
      } else {
        throw new TaxiiResponseError(
          'GET',
          page.url,
          200,
          'more is true but the response has neither next nor X-TAXII-Date-Added-Last, so the rest cannot be requested (section 3.5)',
        )
      }
    }
  }

  private async getResource<S extends z.ZodType>(
    url: string,
    schema: S,
    options: RequestOptions,
    accept: string = TAXII_MEDIA_TYPE,
  ): Promise<{ value: z.output<S>; headers: Headers }> {
    const fetched = await this.send('GET', url, undefined, options.signal, accept)
    return { value: this.parseResource(fetched, schema), headers: fetched.headers }
  }

  private get(url: string, options: RequestOptions): Promise<Fetched> {
    return this.send('GET', url, undefined, options.signal)
  }

  /** Checks the media type and parses the JSON body. */
  private parseJson(fetched: Fetched): unknown {
    const { method, url, status } = fetched
    const contentType = fetched.headers.get('content-type')
    if (!isTaxii21MediaType(contentType)) {
      throw new TaxiiResponseError(
        method,
        url,
        status,
        `Content-Type is ${contentType ?? 'missing'}, expected ${TAXII_MEDIA_TYPE} (section 3.1)`,
      )
    }
    let json: unknown
    try {
      json = JSON.parse(fetched.text)
    } catch (error) {
      throw new TaxiiResponseError(
        method,
        url,
        status,
        `the body is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      )
    }
    if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
      // TAXII forbids empty lists (section 2) but an empty list and an absent one mean the
      // same; tolerate servers that send `[]` rather than refuse their whole answer.
      const record = json as Record<string, unknown>
      for (const [key, value] of Object.entries(record)) {
        if (Array.isArray(value) && value.length === 0) delete record[key]
      }
    }
    return json
  }

  private parseResource<S extends z.ZodType>(fetched: Fetched, schema: S): z.output<S> {
    const { method, url, status } = fetched
    const json = this.parseJson(fetched)
    const result = schema.safeParse(json)
    if (!result.success) {
      const issues = result.error.issues
        .slice(0, 3)
        .map(
          (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`,
        )
        .join('; ')
      throw new TaxiiResponseError(
        method,
        url,
        status,
        `the body is not the expected TAXII resource: ${issues}`,
        {
          cause: result.error,
        },
      )
    }
    return result.data
  }

  /**
   * One logical request: attempts with a per-attempt timeout, retried on network errors,
   * timeouts, 429 and 5xx, never on other statuses. Returns 2xx responses; throws otherwise.
   */
  private async send(
    method: string,
    url: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    accept: string = TAXII_MEDIA_TYPE,
  ): Promise<Fetched> {
    const headers: Record<string, string> = {
      Accept: accept,
      'User-Agent': this.userAgent,
    }
    if (body !== undefined) headers['Content-Type'] = TAXII_MEDIA_TYPE
    if (this.authorization !== undefined) headers['Authorization'] = this.authorization

    for (let attempt = 0; ; attempt += 1) {
      signal?.throwIfAborted()
      const retriesLeft = attempt < this.retry.retries
      const timeout = AbortSignal.timeout(this.timeoutMs)
      const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout
      let fetched: Fetched
      try {
        const init: RequestInit = { method, headers, signal: attemptSignal, redirect: 'follow' }
        if (body !== undefined) init.body = body
        const response = await this.fetchImpl(url, init)
        const text = await readText(response, this.maxResponseBytes)
        fetched = { status: response.status, headers: response.headers, text, method, url }
      } catch (error) {
        if (signal?.aborted) throw signal.reason
        if (error instanceof ResponseTooLargeError) {
          throw new TaxiiResponseError(method, url, error.status, error.message, { cause: error })
        }
        const timedOut = timeout.aborted
        const networkError = new TaxiiNetworkError(
          method,
          url,
          timedOut
            ? `no complete response within ${this.timeoutMs} ms`
            : `request failed: ${describeNetworkError(error)}`,
          timedOut,
          { cause: error },
        )
        if (!retriesLeft || (!timedOut && isPermanentNetworkError(error))) throw networkError
        await pause(backoffDelay(attempt, this.retry), signal)
        continue
      }

      if (fetched.status >= 200 && fetched.status <= 299) return fetched
      const retryAfterMs = parseRetryAfter(fetched.headers.get('retry-after'), Date.now())
      if (
        retriesLeft &&
        isRetryableStatus(fetched.status) &&
        (retryAfterMs === undefined || retryAfterMs <= this.retry.maxDelayMs)
      ) {
        await pause(retryAfterMs ?? backoffDelay(attempt, this.retry), signal)
        continue
      }
      throw httpError(fetched, retryAfterMs)
    }
  }
}

function httpError(fetched: Fetched, retryAfterMs: number | undefined): TaxiiHttpError {
  let body: ErrorMessage | undefined
  try {
    const parsed = errorMessageSchema.safeParse(JSON.parse(fetched.text))
    if (parsed.success) body = parsed.data
  } catch {
    // Section 3.1: the error message is optional; a non-JSON body is kept as text below.
  }
  const details: { body?: ErrorMessage; bodyText?: string; retryAfterMs?: number } = {}
  if (body) details.body = body
  else {
    const text = snippet(fetched.text)
    if (text !== undefined) details.bodyText = text
  }
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs
  return new TaxiiHttpError(fetched.method, fetched.url, fetched.status, details)
}

/** The body as text, refusing to read past `limit` bytes. */
async function readText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel()
    throw new ResponseTooLargeError(response.status, limit)
  }
  if (!response.body) return ''
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader()
  const decoder = new TextDecoder()
  let received = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    received += value.byteLength
    if (received > limit) {
      await reader.cancel()
      throw new ResponseTooLargeError(response.status, limit)
    }
    text += decoder.decode(value, { stream: true })
  }
  return text + decoder.decode()
}

/** Waits `ms`; an abort of `signal` rejects with the caller's own reason, as fetch does. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {})
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    throw error
  }
}

function pageOf<T>(
  items: T[],
  resource: { more?: boolean | undefined; next?: string | undefined },
  fetched: { headers: Headers; url: string },
): TaxiiPage<T> {
  const { headers } = fetched
  const page: TaxiiPage<T> = { url: fetched.url, items, more: resource.more ?? false }
  if (resource.next !== undefined) page.next = resource.next
  const first = headers.get('x-taxii-date-added-first')
  const last = headers.get('x-taxii-date-added-last')
  if (first !== null && first !== '') page.dateAddedFirst = first
  if (last !== null && last !== '') page.dateAddedLast = last
  return page
}

function pagedQuery(filters: ObjectFilters & PageCursor): string {
  const params = filterParams(filters)
  if (filters.next !== undefined) params.push(['next', filters.next])
  return queryString(params)
}

function segment(name: string, value: string): string {
  if (value === '') throw new RangeError(`${name}: must not be empty`)
  return encodeURIComponent(value)
}

function authorizationHeader(auth: TaxiiAuth | undefined): string | undefined {
  if (auth === undefined) return undefined
  if ('basic' in auth) {
    const { user, password } = auth.basic
    // RFC 7617 section 2: the user-id cannot contain a colon.
    if (user.includes(':')) throw new RangeError('auth.basic.user: must not contain ":"')
    return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`
  }
  if (auth.bearer === '' || /[\s]/.test(auth.bearer)) {
    throw new RangeError('auth.bearer: must be a non-empty token without whitespace')
  }
  return `Bearer ${auth.bearer}`
}

function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    // A stray "%" that starts no escape is taken literally.
    return text
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`TaxiiClient: ${name} must be a positive number, got ${value}`)
  }
  return value
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`TaxiiClient: ${name} must be an integer of 0 or more, got ${value}`)
  }
  return value
}
