/**
 * Deterministic identifiers of STIX Cyber-observable Objects (STIX 2.1 sections 2.9 and 3.4):
 * a UUIDv5 in the STIX namespace over the RFC 8785 canonical JSON of the object's
 * "ID Contributing Properties" (listed per SCO type in section 6).
 */
import canonicalizeModule from 'canonicalize'
import { v5 as uuidv5 } from 'uuid'

/** The UUIDv5 namespace STIX 2.1 section 2.9 defines for SCO identifiers. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7'

/**
 * The ID Contributing Properties of each SCO type, from the tables in STIX 2.1 section 6.
 * `process` has none (all its properties are optional, section 6.13: use a UUIDv4).
 */
export const idContributingProperties: Readonly<Record<string, readonly string[]>> = {
  artifact: ['hashes', 'payload_bin'], // 6.1
  'autonomous-system': ['number'], // 6.2
  directory: ['path'], // 6.3
  'domain-name': ['value'], // 6.4
  'email-addr': ['value'], // 6.5
  'email-message': ['from_ref', 'subject', 'body'], // 6.6
  file: ['hashes', 'name', 'extensions', 'parent_directory_ref'], // 6.7
  'ipv4-addr': ['value'], // 6.8
  'ipv6-addr': ['value'], // 6.9
  'mac-addr': ['value'], // 6.10
  mutex: ['name'], // 6.11
  'network-traffic': [
    'start',
    'end',
    'src_ref',
    'dst_ref',
    'src_port',
    'dst_port',
    'protocols',
    'extensions',
  ], // 6.12
  process: [], // 6.13
  software: ['name', 'cpe', 'swid', 'vendor', 'version'], // 6.14
  url: ['value'], // 6.15
  'user-account': ['account_type', 'user_id', 'account_login'], // 6.16
  'windows-registry-key': ['key', 'values'], // 6.17
  'x509-certificate': ['hashes', 'serial_number'], // 6.18
}

/**
 * Preferred hash algorithms, in order, when a `hashes` property contributes to the id: "include
 * only one hash ... [ MD5, SHA-1, SHA-256, SHA-512 ]" (sections 6.1, 6.7, 6.18).
 */
export const HASH_PREFERENCE: readonly string[] = ['MD5', 'SHA-1', 'SHA-256', 'SHA-512']

type Canonicalize = (input: unknown) => string | undefined
// canonicalize 2 is CommonJS with a `default` in its typings: under NodeNext the import is typed
// as the module object, while Node hands ESM the function itself. Accept both.
const loaded: unknown = canonicalizeModule
const canonicalize: Canonicalize =
  typeof loaded === 'function'
    ? (loaded as Canonicalize)
    : (loaded as { default: Canonicalize }).default

/** Options of {@link scoId}. */
export interface ScoIdOptions {
  /**
   * ID Contributing Properties to use instead of the built-in table, e.g. for a custom SCO
   * whose extension definition lists its own.
   */
  contributingProperties?: readonly string[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Picks the one hash that contributes to an id: the first preferred algorithm present. */
function chooseOneHash(hashes: Record<string, unknown>): Record<string, unknown> {
  for (const algorithm of HASH_PREFERENCE) {
    if (Object.hasOwn(hashes, algorithm)) return { [algorithm]: hashes[algorithm] }
  }
  // None of the listed algorithms: the list is only a SHOULD, so take the first present, as
  // the OASIS Python library does, to stay interoperable with ids it produced.
  const first = Object.keys(hashes)[0]
  return first === undefined ? {} : { [first]: hashes[first] }
}

/**
 * The JSON object whose canonical form names the UUIDv5 of `object`, holding only the ID
 * Contributing Properties that are present; `undefined` when the type has none or none is
 * present (then the id must be a UUIDv4, section 2.9).
 * @internal Exported for tests and diagnostics.
 */
export function idContributingValues(
  object: Record<string, unknown>,
  options: ScoIdOptions = {},
): Record<string, unknown> | undefined {
  const type = object['type']
  if (typeof type !== 'string') return undefined
  const names = options.contributingProperties ?? idContributingProperties[type]
  if (names === undefined) return undefined
  const values: Record<string, unknown> = {}
  let present = 0
  for (const name of names) {
    const value = object[name]
    if (value === undefined) continue
    if (name === 'hashes' && isRecord(value)) {
      const one = chooseOneHash(value)
      // An empty hashes dictionary names no hash to contribute.
      if (Object.keys(one).length === 0) continue
      values[name] = one
    } else {
      values[name] = value
    }
    present++
  }
  return present === 0 ? undefined : values
}

/**
 * The deterministic identifier of an SCO, `type--UUIDv5`, per STIX 2.1 section 2.9: the UUIDv5
 * in namespace {@link STIX_SCO_NAMESPACE} over the RFC 8785 canonical JSON of its ID
 * Contributing Properties. Returns `undefined` when the type has no such properties (e.g.
 * `process`, or an unknown type without `options.contributingProperties`) or none is present,
 * in which case a UUIDv4 must be used.
 *
 * @example
 * ```ts
 * scoId({ type: 'ipv4-addr', value: '198.51.100.3' })
 * // 'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4'
 * ```
 */
export function scoId(
  object: Record<string, unknown>,
  options: ScoIdOptions = {},
): string | undefined {
  const values = idContributingValues(object, options)
  if (values === undefined) return undefined
  const name = canonicalize(values)
  if (name === undefined) return undefined
  return `${String(object['type'])}--${uuidv5(name, STIX_SCO_NAMESPACE)}`
}

/**
 * Whether the object's `id` is the deterministic one {@link scoId} computes from its current
 * properties (section 2.9 makes this a SHOULD for SCOs). False when no deterministic id exists.
 */
export function isDeterministicId(
  object: Record<string, unknown>,
  options: ScoIdOptions = {},
): boolean {
  const id = object['id']
  return typeof id === 'string' && id === scoId(object, options)
}
