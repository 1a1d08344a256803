import { AppError } from '../errors.js'
import type { SharedVersion, Viewer } from './policy.js'

const IDENTITY_ID =
  /^identity--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d
}

function skipSpace(text: string, at: number): number {
  let i = at
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++
  return i
}

/** `at` is on an opening quote; returns the index just past the closing one. */
function endOfString(text: string, at: number): number {
  let i = at + 1
  while (i < text.length) {
    const code = text.charCodeAt(i)
    if (code === 0x22) return i + 1
    i += code === 0x5c ? 2 : 1
  }
  return i
}

/** `at` is on the first character of a JSON value; returns the index just past it. */
function endOfValue(text: string, at: number): number {
  const first = text[at]
  if (first === '"') return endOfString(text, at)
  if (first === '{' || first === '[') {
    let depth = 0
    let i = at
    while (i < text.length) {
      const ch = text[i]
      if (ch === '"') {
        i = endOfString(text, i)
        continue
      }
      if (ch === '{' || ch === '[') depth++
      else if (ch === '}' || ch === ']') {
        depth--
        if (depth === 0) return i + 1
      }
      i++
    }
    return i
  }
  let i = at
  while (i < text.length && !',}]'.includes(text[i] ?? '') && !isJsonSpace(text.charCodeAt(i))) i++
  return i
}

/**
 * The [start, end) spans of the values of every top-level `created_by_ref` member of a JSON
 * object text already known to be valid JSON. Keys are compared after unescaping, so
 * `"created\u005fby_ref"` counts; duplicated keys all count.
 */
function createdByRefSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = []
  let i = skipSpace(text, 0) + 1
  i = skipSpace(text, i)
  if (text[i] === '}') return spans
  while (i < text.length) {
    const keyEnd = endOfString(text, i)
    const key: unknown = JSON.parse(text.slice(i, keyEnd))
    const valueStart = skipSpace(text, skipSpace(text, keyEnd) + 1)
    const valueEnd = endOfValue(text, valueStart)
    if (key === 'created_by_ref') spans.push([valueStart, valueEnd])
    i = skipSpace(text, valueEnd)
    if (text[i] !== ',') break
    i = skipSpace(text, i + 1)
  }
  return spans
}

/**
 * The view of an anonymously published object for a viewer other than its publisher (issue 5,
 * "Publishing can be anonymous"): the value of its top-level `created_by_ref` (STIX 2.1 section
 * 3.2) replaced by the alliance's identity id, every other byte of `json` unchanged. An object
 * without `created_by_ref` names no creator and comes back as it is.
 *
 * The text is parsed once only to check it (an object, and `created_by_ref` a string); the
 * result is spliced into the original text, never re-serialised, so key order, spacing, number
 * spelling and string escapes stay as received.
 *
 * @throws AppError `CONFIG_INVALID` when `allianceIdentityId` is not an `identity--<UUID>` id;
 *   `STIX_INVALID_JSON` or `STIX_INVALID_OBJECT` when `json` is not a JSON object whose
 *   `created_by_ref`, if present, is a string (stored objects always are).
 */
export function anonymise(json: string, allianceIdentityId: string): string {
  if (!IDENTITY_ID.test(allianceIdentityId)) {
    throw new AppError('CONFIG_INVALID', {
      detail: `the alliance identity ${JSON.stringify(allianceIdentityId)} is not an identity--<UUID> identifier (STIX 2.1 section 2.9)`,
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (cause) {
    throw new AppError('STIX_INVALID_JSON', {
      detail: 'the object to anonymise is not valid JSON',
      cause,
    })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError('STIX_INVALID_OBJECT', {
      detail: 'the object to anonymise is not a JSON object',
    })
  }
  const spans = createdByRefSpans(json)
  if (spans.length === 0) return json
  const replacement = JSON.stringify(allianceIdentityId)
  let out = ''
  let copied = 0
  for (const [start, end] of spans) {
    if (json[start] !== '"') {
      const id = (parsed as Record<string, unknown>)['id']
      throw new AppError('STIX_INVALID_OBJECT', {
        detail: `created_by_ref of ${typeof id === 'string' ? id : 'the object'} is not an identifier string (STIX 2.1 section 3.2)`,
      })
    }
    out += json.slice(copied, start) + replacement
    copied = end
  }
  return out + json.slice(copied)
}

/**
 * The JSON a viewer receives for one stored version: as stored for the publisher's own users
 * and for versions not published anonymously; {@link anonymise}d for everyone else, node
 * admins and peers included (the node keeps the true publisher in its records and audit log).
 */
export function viewJson(
  json: string,
  version: Pick<SharedVersion, 'publisherOrgId' | 'anonymous'>,
  viewer: Viewer,
  allianceIdentityId: string,
): string {
  if (!version.anonymous) return json
  if (viewer.kind === 'user' && viewer.orgId === version.publisherOrgId) return json
  return anonymise(json, allianceIdentityId)
}
