/**
 * Index anchors: for one observation expression body (`[...]`), the (path, value) keys such
 * that an observation can only satisfy the body when one of its values hits one of them.
 * Equality and `IN` give hash keys, `ISSUBSET` / `=` on IP blocks give CIDR keys; anything
 * else (`!=`, `LIKE`, `MATCHES`, `NOT`, ordering...) gives no anchor, and the body is then
 * evaluated for every observation holding an SCO of its object type(s).
 * @internal
 */
import type { Comparison, ComparisonExpr, ObjectPath, ScalarConstant } from '../ast.js'
import { formatObjectPath, isHexHashProperty } from '../evaluate.js'
import { parseIpNetwork, type IpNetwork } from '../ip.js'
import { parseRegex, regexAffixes } from '../regex/regex-syntax.js'

/** How values reached by a path are normalised for the index. */
export type PathKind =
  /** `ipv4-addr:value` / `ipv6-addr:value`: canonical IP text. */
  | 'ip'
  /** `..._ref.value` and the like: canonical IP text when the value is an IP, else as is. */
  | 'maybe-ip'
  /** `hashes.<hex algorithm>`: lowercase. */
  | 'hex-hash'
  /** Anything else: exact value. */
  | 'plain'

/** An object path as the index sees it. */
export interface PathInfo {
  readonly key: string
  readonly path: ObjectPath
  readonly kind: PathKind
  /** True when index equality is exactly the pattern's equality for this path. */
  readonly exact: boolean
}

const refName = (name: string): boolean => name.endsWith('_ref') || name.endsWith('_refs')

/** Classifies a path, or `undefined` when its values cannot be indexed (binary properties). */
export function pathInfo(path: ObjectPath): PathInfo | undefined {
  const props = path.steps.flatMap((s) => (s.kind === 'property' ? [s.name] : []))
  const last = props.at(-1) ?? ''
  if (last.endsWith('_bin') || last.endsWith('_hex')) return undefined
  const viaRef = props.slice(0, -1).some(refName)
  const hasIndex = path.steps.some((s) => s.kind !== 'property')
  const key = formatObjectPath(path)
  if (
    !viaRef &&
    props.length === 1 &&
    last === 'value' &&
    (path.objectType === 'ipv4-addr' || path.objectType === 'ipv6-addr')
  )
    return { key, path, kind: 'ip', exact: true }
  if (viaRef && last === 'value') return { key, path, kind: 'maybe-ip', exact: false }
  const parent = props.at(-2)
  if (isHexHashProperty(parent, last))
    return { key, path, kind: 'hex-hash', exact: !viaRef && !hasIndex }
  return { key, path, kind: 'plain', exact: !viaRef && !hasIndex }
}

/** The index key of a string value for a path kind (also used on event values). */
export function normaliseString(kind: PathKind, value: string, version?: 4 | 6): string {
  switch (kind) {
    case 'ip':
    case 'maybe-ip': {
      const net = parseIpNetwork(value, version)
      return net ? ipKey(net) : value
    }
    case 'hex-hash':
      return value.toLowerCase()
    case 'plain':
      return value
  }
}

function ipKey(net: IpNetwork): string {
  // Same text as formatIpNetwork for IPv4 (the common case) without building an object.
  if (net.version === 4) {
    const text = `${net.bytes[0]}.${net.bytes[1]}.${net.bytes[2]}.${net.bytes[3]}`
    return net.prefix === 32 ? text : `${text}/${net.prefix}`
  }
  const hex = Array.from(net.bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return net.prefix === 128 ? `6:${hex}` : `6:${hex}/${net.prefix}`
}

/** Index key of a non-string scalar (numbers and booleans live in a separate map). */
export function scalarKey(value: number | boolean): string {
  return typeof value === 'number' ? `n:${value}` : `b:${value}`
}

/** One index key of a `[...]` body. */
export type Anchor =
  | { readonly kind: 'eq-string'; readonly path: PathInfo; readonly value: string }
  | { readonly kind: 'eq-scalar'; readonly path: PathInfo; readonly value: string }
  | { readonly kind: 'cidr'; readonly path: PathInfo; readonly net: IpNetwork }
  /** Every matching value (NFC) starts with `value`. */
  | { readonly kind: 'prefix'; readonly path: PathInfo; readonly value: string }
  /** Every matching value (NFC, without one final newline when `newline`) ends with `value`. */
  | {
      readonly kind: 'suffix'
      readonly path: PathInfo
      readonly value: string
      readonly newline: boolean
    }

/** Anchors of the body, or `undefined` when it has none (evaluate for every SCO of its type). */
export function anchorsOf(expr: ComparisonExpr): Anchor[] | undefined {
  switch (expr.kind) {
    case 'exists':
      return undefined
    case 'comparison':
      return comparisonAnchors(expr)
    case 'comparison-and': {
      // One operand's anchors suffice: every operand must hold. Prefer equality.
      let best: Anchor[] | undefined
      for (const op of expr.operands) {
        const a = anchorsOf(op)
        if (!a) continue
        if (!best || score(a) < score(best)) best = a
      }
      return best
    }
    case 'comparison-or': {
      const all: Anchor[] = []
      for (const op of expr.operands) {
        const a = anchorsOf(op)
        if (!a) return undefined
        all.push(...a)
      }
      return all
    }
  }
}

function score(anchors: Anchor[]): number {
  const cost = (a: Anchor): number => {
    switch (a.kind) {
      case 'eq-string':
      case 'eq-scalar':
        return 1
      case 'prefix':
      case 'suffix':
        return 10
      case 'cidr':
        return 1000 - a.net.prefix
    }
  }
  return anchors.reduce((s, a) => s + cost(a), 0)
}

function constantKey(path: PathInfo, c: ScalarConstant): Anchor | undefined {
  switch (c.kind) {
    case 'string': {
      if (path.kind === 'ip' || path.kind === 'maybe-ip') {
        const version =
          path.path.objectType === 'ipv4-addr'
            ? 4
            : path.path.objectType === 'ipv6-addr'
              ? 6
              : undefined
        const net = parseIpNetwork(c.value, version)
        // A block also equals an event value that is the same block, so index it by text too.
        if (net) return { kind: 'eq-string', path, value: ipKey(net) }
      }
      return { kind: 'eq-string', path, value: normaliseString(path.kind, c.value) }
    }
    case 'int':
    case 'float':
    case 'bool':
      return { kind: 'eq-scalar', path, value: scalarKey(c.value) }
    case 'binary':
    case 'hex':
    case 'timestamp':
      return undefined
  }
}

function comparisonAnchors(c: Comparison): Anchor[] | undefined {
  if (c.negated) return undefined
  const path = pathInfo(c.path)
  if (!path) return undefined
  switch (c.operator) {
    case '=': {
      if (c.value.kind === 'list') return undefined
      const a = constantKey(path, c.value)
      return a ? [a] : undefined
    }
    case 'IN': {
      if (c.value.kind !== 'list') return undefined
      const out: Anchor[] = []
      for (const item of c.value.items) {
        const a = constantKey(path, item)
        if (!a) return undefined
        out.push(a)
      }
      return out
    }
    case 'ISSUBSET': {
      if (c.value.kind !== 'string' || (path.kind !== 'ip' && path.kind !== 'maybe-ip'))
        return undefined
      const version =
        path.path.objectType === 'ipv4-addr'
          ? 4
          : path.path.objectType === 'ipv6-addr'
            ? 6
            : undefined
      const net = parseIpNetwork(c.value.value, version)
      return net ? [{ kind: 'cidr', path, net }] : undefined
    }
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return undefined
    case 'LIKE':
      return c.value.kind === 'string' ? likeAnchors(path, c.value.value) : undefined
    case 'MATCHES':
      return c.value.kind === 'string' ? regexAnchors(path, c.value.value) : undefined
    case 'ISSUPERSET':
      return undefined
  }
}

/** Shortest literal worth indexing: shorter ones would select too many patterns. */
const MIN_AFFIX = 3

function likeAnchors(path: PathInfo, pattern: string): Anchor[] | undefined {
  const text = pattern.normalize('NFC')
  const first = text.search(/[%_]/)
  if (first < 0) return [{ kind: 'prefix', path, value: text }]
  let last = first
  for (let i = text.length - 1; i >= first; i--) {
    if (text[i] === '%' || text[i] === '_') {
      last = i
      break
    }
  }
  const prefix = text.slice(0, first)
  const suffix = text.slice(last + 1)
  if (prefix.length >= suffix.length && prefix.length >= MIN_AFFIX)
    return [{ kind: 'prefix', path, value: prefix }]
  if (suffix.length >= MIN_AFFIX) return [{ kind: 'suffix', path, value: suffix, newline: false }]
  return undefined
}

function regexAnchors(path: PathInfo, source: string): Anchor[] | undefined {
  let affixes: ReturnType<typeof regexAffixes>
  try {
    affixes = regexAffixes(parseRegex(source))
  } catch {
    return undefined
  }
  const { prefix, suffix, endsAtNewline } = affixes
  if (prefix.length >= suffix.length && prefix.length >= MIN_AFFIX)
    return [{ kind: 'prefix', path, value: prefix }]
  if (suffix.length >= MIN_AFFIX)
    return [{ kind: 'suffix', path, value: suffix, newline: endsAtNewline }]
  return undefined
}

/** Object types the body can start from (for bodies without anchors). */
export function objectTypesOf(expr: ComparisonExpr): Set<string> {
  const types = new Set<string>()
  const visit = (e: ComparisonExpr): void => {
    switch (e.kind) {
      case 'comparison':
      case 'exists':
        types.add(e.path.objectType)
        break
      case 'comparison-and':
      case 'comparison-or':
        e.operands.forEach(visit)
        break
    }
  }
  visit(expr)
  return types
}
