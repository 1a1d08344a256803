/**
 * Versioning of STIX objects (STIX 2.1 section 3.6): making a new version, revoking, and
 * ordering versions. Pure: the current time is passed in.
 */
import { AppError } from '../errors.js'

/** A STIX object as plain JSON. */
export type StixJsonObject = Record<string, unknown>

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/

/** Properties a new version may not change: section 3.6 and the `created` row of section 3.2. */
export const IMMUTABLE_VERSION_PROPERTIES: readonly string[] = [
  'type',
  'id',
  'created',
  'created_by_ref',
]

/**
 * Compares two STIX timestamps (section 2.16: `YYYY-MM-DDTHH:mm:ss[.s+]Z`) exactly, whatever
 * their sub-second precision (`.1Z` equals `.100Z`; nanoseconds are kept).
 * @throws RangeError when either is not a STIX timestamp.
 */
function compareTimestamps(a: string, b: string): number {
  const ma = TIMESTAMP.exec(a)
  const mb = TIMESTAMP.exec(b)
  if (!ma) throw new RangeError(`not a STIX timestamp: ${JSON.stringify(a)}`)
  if (!mb) throw new RangeError(`not a STIX timestamp: ${JSON.stringify(b)}`)
  // The date-time part has a fixed width, so text order is time order.
  const sa = ma[1] ?? ''
  const sb = mb[1] ?? ''
  if (sa !== sb) return sa < sb ? -1 : 1
  // Fractions compare digit by digit once padded to the same length.
  const fa = ma[2] ?? ''
  const fb = mb[2] ?? ''
  const width = Math.max(fa.length, fb.length)
  const pa = fa.padEnd(width, '0')
  const pb = fb.padEnd(width, '0')
  return pa === pb ? 0 : pa < pb ? -1 : 1
}

/** `timestamp` cut to millisecond precision (`YYYY-MM-DDTHH:mm:ss.sssZ`). */
function toMilliseconds(timestamp: string): string {
  const match = TIMESTAMP.exec(timestamp)
  if (!match) throw new RangeError(`not a STIX timestamp: ${JSON.stringify(timestamp)}`)
  return `${match[1] ?? ''}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}Z`
}

function addOneMillisecond(timestamp: string): string {
  const ms = Date.parse(timestamp)
  if (Number.isNaN(ms)) throw new RangeError(`not a usable timestamp: ${JSON.stringify(timestamp)}`)
  return new Date(ms + 1).toISOString()
}

function invalid(detail: string, object: StixJsonObject): never {
  const id = object['id']
  throw new AppError('STIX_INVALID_OBJECT', {
    detail: typeof id === 'string' ? `${id}: ${detail}` : detail,
    details: typeof id === 'string' ? { objectId: id } : {},
  })
}

function timestampProperty(object: StixJsonObject, name: string): string {
  const value = object[name]
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) {
    invalid(`cannot version an object whose ${name} is not a STIX timestamp`, object)
  }
  return value
}

/**
 * The `modified` for a new version made at `now`: `now` at millisecond precision, or, when that
 * is not later than `previous` (clocks differ, or two versions in the same millisecond), the
 * first millisecond after `previous`, so that the new version is always the latest (3.6).
 */
export function nextModified(previous: string, now: string): string {
  const candidate = toMilliseconds(now)
  if (compareTimestamps(candidate, previous) > 0) return candidate
  return addOneMillisecond(toMilliseconds(previous))
}

/**
 * Makes a new version of a STIX object (section 3.6): applies `changes` (a value of `undefined`
 * removes the property), keeps `id`, `type`, `created` and `created_by_ref`, and sets
 * `modified` to `now` at millisecond precision, or just after the previous `modified` when `now`
 * is not later.
 *
 * @example
 * ```ts
 * const v2 = newVersion(indicator, { name: 'corrected name' }, new Date().toISOString())
 * ```
 * @throws AppError `STIX_INVALID_OBJECT` when the object is revoked ("later versions of that
 * object MUST NOT be created"), is not versioned (no `created`/`modified`, e.g. an SCO), or the
 * changes touch `type`, `id`, `created`, `created_by_ref` or `modified`.
 * @throws RangeError when `now` is not a STIX timestamp.
 */
export function newVersion(
  object: StixJsonObject,
  changes: Readonly<Record<string, unknown>>,
  now: string,
): StixJsonObject {
  if (object['revoked'] === true)
    invalid('a revoked object cannot have a new version (3.6)', object)
  timestampProperty(object, 'created')
  const previous = timestampProperty(object, 'modified')
  for (const name of Object.keys(changes)) {
    if (IMMUTABLE_VERSION_PROPERTIES.includes(name)) {
      invalid(`a new version cannot change ${name} (3.6); make a new object instead`, object)
    }
    if (name === 'modified') invalid('modified is set by the new version itself', object)
  }
  const next: StixJsonObject = {}
  for (const [name, value] of Object.entries(object)) {
    if (Object.hasOwn(changes, name)) {
      const changed = changes[name]
      if (changed !== undefined) next[name] = changed
    } else {
      next[name] = value
    }
  }
  for (const [name, value] of Object.entries(changes)) {
    if (!Object.hasOwn(object, name) && value !== undefined) next[name] = value
  }
  next['modified'] = nextModified(previous, now)
  return next
}

/**
 * Revokes a STIX object: a new version with `revoked: true` (section 3.6, "Changing the revoked
 * property ... is an update to the object, and therefore its modified property MUST be
 * updated").
 * @throws AppError `STIX_INVALID_OBJECT` as {@link newVersion} does (e.g. already revoked).
 */
export function revoke(object: StixJsonObject, now: string): StixJsonObject {
  return newVersion(object, { revoked: true }, now)
}

/**
 * Orders two versions of an object: by `modified`, then by `created` (section 3.6: "the version
 * ... with the most recent modified value" is the current one). A missing timestamp sorts
 * before any present one. Negative when `a` is older.
 */
export function compareVersions(a: StixJsonObject, b: StixJsonObject): number {
  return (
    compareOptional(a['modified'], b['modified']) || compareOptional(a['created'], b['created'])
  )
}

function compareOptional(a: unknown, b: unknown): number {
  const ta = typeof a === 'string' && TIMESTAMP.test(a) ? a : undefined
  const tb = typeof b === 'string' && TIMESTAMP.test(b) ? b : undefined
  if (ta === undefined) return tb === undefined ? 0 : -1
  if (tb === undefined) return 1
  return compareTimestamps(ta, tb)
}

/**
 * The latest of several versions of one object per {@link compareVersions}; the first of equal
 * ones. `undefined` for an empty list.
 */
export function latestVersion<T extends StixJsonObject>(versions: Iterable<T>): T | undefined {
  let latest: T | undefined
  for (const version of versions) {
    if (latest === undefined || compareVersions(version, latest) > 0) latest = version
  }
  return latest
}
