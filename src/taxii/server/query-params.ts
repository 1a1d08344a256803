/**
 * URL query parameters of the TAXII 2.1 endpoints (sections 3.4, 3.4.1, 5.3, 5.4, 5.6-5.8).
 *
 * Rules (section 3.4 says a malformed parameter is a 400):
 * - each parameter may appear once; an empty value is malformed;
 * - `match[<field>]` for a field the specification does not define is ignored (section 3.4:
 *   "servers MAY ignore fields they do not understand");
 * - a specification-defined match field the endpoint does not list (e.g. `match[type]` on
 *   Get an Object, section 5.6) is refused with 400, and so is any other unknown parameter,
 *   so a typo (`limt=10`) never silently returns everything.
 * - Add Objects (POST, `add-objects`) alone accepts intelmesh's publishing parameters
 *   `distribution`, `groups`, `recipients` (comma lists of names or ids) and `anonymous`
 *   (`true`/`false`); see docs/sharing.md.
 */
import { AppError } from '../../errors.js'
import {
  DISTRIBUTION_SCOPES,
  completeSharingRequest,
  isDistributionScope,
  type SharingRequest,
} from '../../sharing/publish.js'
import type { VersionMatch } from '../../store/store.js'
import { toVersionKey } from '../../store/timestamps.js'
import { parseRfc3339, timestampMicros } from './parse-rfc3339.js'

/** Which endpoint the parameters are for: each accepts its own set (sections 5.3-5.8). */
export type EndpointKind =
  'objects' | 'manifest' | 'object' | 'versions' | 'delete' | 'add-objects' | 'plain'

const SPEC_MATCH_FIELDS = ['id', 'type', 'version', 'spec_version'] as const
type MatchField = (typeof SPEC_MATCH_FIELDS)[number]

const ALLOWED: Record<
  EndpointKind,
  { paging: boolean; match: readonly MatchField[]; sharing?: true }
> = {
  objects: { paging: true, match: SPEC_MATCH_FIELDS },
  manifest: { paging: true, match: SPEC_MATCH_FIELDS },
  object: { paging: true, match: ['version', 'spec_version'] },
  versions: { paging: true, match: ['spec_version'] },
  delete: { paging: false, match: ['version', 'spec_version'] },
  'add-objects': { paging: false, match: [], sharing: true },
  plain: { paging: false, match: [] },
}

/** The parsed filters and paging parameters of one request. */
export interface TaxiiQuery {
  /** `added_after` as given and as exclusive microseconds. */
  addedAfter?: { text: string; micros: number }
  /** The client's `limit`, before the server's cap. */
  limit?: number
  next?: string
  ids?: string[]
  types?: string[]
  /** `match[version]` as given (for the next-token hash) and parsed. */
  versions?: { text: string; match: VersionMatch }
  specVersions?: string[]
  /** The publishing parameters of Add Objects, when any is given (checked for consistency). */
  sharing?: SharingRequest
}

function badParameter(parameter: string, detail: string): AppError {
  return new AppError('TAXII_BAD_PARAMETER', {
    detail: `${parameter}: ${detail}`,
    details: { parameter },
  })
}

function splitList(parameter: string, value: string): string[] {
  const items = value.split(',')
  if (items.some((item) => item === '')) {
    throw badParameter(
      parameter,
      'values are separated by single commas, with no empty items (TAXII 2.1 section 3.4)',
    )
  }
  return items
}

function parseVersionMatch(value: string): VersionMatch {
  const parameter = 'match[version]'
  const items = splitList(parameter, value)
  const seen = new Set<string>()
  const parts: VersionMatch[] = []
  const exact: string[] = []
  for (const item of items) {
    let identity: string
    if (item === 'first' || item === 'last' || item === 'all') {
      identity = item
      parts.push({ kind: item })
    } else {
      const key = parseRfc3339(item, { utcOnly: true }) ? toVersionKey(item) : undefined
      if (key === undefined) {
        throw badParameter(
          parameter,
          `"${item}" is neither first, last, all nor a STIX timestamp like 2016-01-01T01:01:01.000Z`,
        )
      }
      identity = key
      exact.push(identity)
    }
    if (seen.has(identity)) {
      throw badParameter(parameter, `"${item}" occurs more than once (TAXII 2.1 section 3.4.1)`)
    }
    seen.add(identity)
  }
  if (seen.has('all') && items.length > 1) {
    throw badParameter(parameter, '"all" must not be combined with other values (section 3.4.1)')
  }
  if (exact.length > 0) parts.push({ kind: 'exact', keys: exact })
  const [only] = parts
  return parts.length === 1 && only ? only : { kind: 'union', parts }
}

function parseLimit(value: string): number {
  if (!/^[0-9]+$/.test(value) || /^0+$/.test(value)) {
    throw badParameter('limit', `"${value}" is not a positive integer (TAXII 2.1 section 3.4)`)
  }
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER
}

function parseAddedAfter(value: string): { text: string; micros: number } {
  const parsed = parseRfc3339(value, { utcOnly: false })
  if (!parsed) {
    throw badParameter(
      'added_after',
      `"${value}" is not an RFC 3339 timestamp like 2026-01-02T03:04:05.123456Z (TAXII 2.1 section 3.4)`,
    )
  }
  const micros = timestampMicros(parsed)
  return { text: value, micros: Math.min(Math.max(micros, -1), Number.MAX_SAFE_INTEGER) }
}

/** Parses and checks the query string of a request to `endpoint`. */
export function parseTaxiiQuery(params: URLSearchParams, endpoint: EndpointKind): TaxiiQuery {
  const allowed = ALLOWED[endpoint]
  const seen = new Set<string>()
  const query: TaxiiQuery = {}
  for (const [name, value] of params) {
    if (seen.has(name)) {
      throw badParameter(
        name,
        'the parameter must not occur more than once (TAXII 2.1 section 3.4)',
      )
    }
    seen.add(name)
    const matchField = /^match\[(.*)\]$/.exec(name)?.[1]
    if (matchField !== undefined) {
      if (!(SPEC_MATCH_FIELDS as readonly string[]).includes(matchField)) continue
      const field = matchField as MatchField
      if (!allowed.match.includes(field)) {
        throw badParameter(name, 'this endpoint does not support this match field')
      }
      if (value === '') throw badParameter(name, 'the value is empty')
      switch (field) {
        case 'id':
          query.ids = splitList(name, value)
          break
        case 'type':
          query.types = splitList(name, value)
          break
        case 'version':
          query.versions = { text: value, match: parseVersionMatch(value) }
          break
        case 'spec_version':
          query.specVersions = splitList(name, value)
          for (const v of query.specVersions) {
            if (!/^\d+\.\d+$/.test(v)) {
              throw badParameter(name, `"${v}" is not a specification version like 2.1`)
            }
          }
          break
      }
      continue
    }
    if (allowed.paging && (name === 'added_after' || name === 'limit' || name === 'next')) {
      if (value === '') throw badParameter(name, 'the value is empty')
      if (name === 'added_after') query.addedAfter = parseAddedAfter(value)
      else if (name === 'limit') query.limit = parseLimit(value)
      else query.next = value
      continue
    }
    if (allowed.sharing && SHARING_PARAMETERS.includes(name)) {
      if (value === '') throw badParameter(name, 'the value is empty')
      query.sharing = sharingParameter(query.sharing ?? {}, name, value)
      continue
    }
    throw badParameter(name, 'this endpoint does not accept this parameter')
  }
  if (query.sharing) {
    const completed = completeSharingRequest(query.sharing)
    if (!completed.ok) {
      const parameter = query.sharing.groups !== undefined ? 'groups' : 'distribution'
      throw badParameter(parameter, completed.message)
    }
    query.sharing = completed.request
  }
  return query
}

const SHARING_PARAMETERS = ['distribution', 'groups', 'recipients', 'anonymous']

function sharingParameter(request: SharingRequest, name: string, value: string): SharingRequest {
  switch (name) {
    case 'distribution':
      if (!isDistributionScope(value)) {
        throw badParameter(name, `"${value}" is not one of ${DISTRIBUTION_SCOPES.join(', ')}`)
      }
      return { ...request, scope: value }
    case 'groups':
    case 'recipients':
      return { ...request, [name]: [...new Set(splitList(name, value))] }
    default:
      if (value !== 'true' && value !== 'false') {
        throw badParameter(name, `"${value}" is neither true nor false`)
      }
      return { ...request, anonymous: value === 'true' }
  }
}
