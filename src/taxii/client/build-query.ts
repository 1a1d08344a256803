/**
 * URL query strings for the TAXII filters (TAXII 2.1 sections 3.4 and 3.4.1).
 * @internal
 */

/** A `match[version]` value: a keyword or a STIX timestamp (section 3.4.1). */
export type VersionMatch = 'first' | 'last' | 'all' | (string & {})

/** Filters of the objects and manifest endpoints (sections 5.3 and 5.4). */
export interface ObjectFilters {
  /** Only objects added after this timestamp (section 3.4, `added_after`). */
  addedAfter?: string | Date
  /** Largest page the client asks for; servers may send fewer or, if broken, more. */
  limit?: number
  /** `match[id]`: one id or several (OR). */
  id?: string | readonly string[]
  /** `match[type]`: one type or several (OR). */
  type?: string | readonly string[]
  /** `match[version]`: `first`, `last`, `all` or timestamps (default on the server: `last`). */
  version?: VersionMatch | readonly VersionMatch[]
  /** `match[spec_version]`: e.g. `2.1` (default on the server: the latest). */
  specVersion?: string | readonly string[]
}

/** Filters of Get an Object (section 5.6): the path names the object. */
export type ObjectByIdFilters = Omit<ObjectFilters, 'id' | 'type'>

/** Filters of Get Object Versions (section 5.8). */
export type VersionsFilters = Pick<ObjectFilters, 'addedAfter' | 'limit' | 'specVersion'>

/** Filters of Delete an Object (section 5.7). */
export type DeleteFilters = Pick<ObjectFilters, 'version' | 'specVersion'>

/** Query parameters in the order they are written. */
export type QueryParams = ReadonlyArray<readonly [name: string, value: string]>

function listValue(name: string, value: string | readonly string[]): string {
  const values = typeof value === 'string' ? [value] : value
  if (values.length === 0) throw new RangeError(`${name}: give at least one value`)
  for (const item of values) {
    if (item === '' || item.includes(',')) {
      throw new RangeError(
        `${name}: each value must be non-empty and contain no comma, got "${item}"`,
      )
    }
  }
  return values.join(',')
}

/** A Date as a TAXII timestamp; a string is passed as given, the server judges it. */
function timestampValue(value: string | Date): string {
  if (typeof value === 'string') return value
  if (Number.isNaN(value.getTime())) throw new RangeError('addedAfter: invalid Date')
  return value.toISOString()
}

/**
 * Turns filters into query parameters, checking what the client can check itself (section 3.4:
 * `limit` a positive integer, no empty list values).
 * @internal
 */
export function filterParams(filters: ObjectFilters): Array<[string, string]> {
  const params: Array<[string, string]> = []
  if (filters.addedAfter !== undefined) {
    params.push(['added_after', timestampValue(filters.addedAfter)])
  }
  if (filters.limit !== undefined) {
    if (!Number.isSafeInteger(filters.limit) || filters.limit < 1) {
      throw new RangeError(`limit: must be a positive integer, got ${filters.limit}`)
    }
    params.push(['limit', String(filters.limit)])
  }
  if (filters.id !== undefined) params.push(['match[id]', listValue('match[id]', filters.id)])
  if (filters.type !== undefined) {
    params.push(['match[type]', listValue('match[type]', filters.type)])
  }
  if (filters.version !== undefined) {
    params.push(['match[version]', listValue('match[version]', filters.version)])
  }
  if (filters.specVersion !== undefined) {
    params.push(['match[spec_version]', listValue('match[spec_version]', filters.specVersion)])
  }
  return params
}

function encodeValue(value: string): string {
  // Commas separate the values of a match field (section 3.4) and colons sit in timestamps;
  // both are legal in a query (RFC 3986 section 3.4), so they stay literal as in the spec's
  // examples, for servers that split before decoding.
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':')
}

/**
 * Writes query parameters as `?name=value&...` (empty string when there are none). The
 * brackets of `match[...]` stay literal, as in the spec's examples.
 * @internal
 */
export function queryString(params: QueryParams): string {
  if (params.length === 0) return ''
  return `?${params.map(([name, value]) => `${name}=${encodeValue(value)}`).join('&')}`
}
