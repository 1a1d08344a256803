/**
 * Matching semantics of STIX patterns (STIX 2.1 section 9): comparison expressions against
 * the SCOs of one observation, and whole patterns against a set of observations.
 */
import type {
  Comparison,
  ComparisonExpr,
  Constant,
  ObjectPath,
  ObservationExpr,
  Pattern,
  ScalarConstant,
} from './ast.js'
import { decodeBase64 } from './lexer.js'
import { networkContains, networksEqual, parseIpNetwork } from './ip.js'
import type { Observation, Sco } from './observations.js'
import { timestampMicros } from './observations.js'
import { compileRegex } from './regex/safe-regex.js'
import { ObservationState } from './engine/observation-state.js'
import { parsePattern } from './parse-pattern.js'

/** A value that made a comparison true: for hit reports. */
export interface MatchedValue {
  /** The SCO type the path starts from. */
  readonly type: string
  /** The object path as written in the pattern (`file:hashes.'SHA-256'`). */
  readonly path: string
  /** The property value that satisfied the comparison. */
  readonly value: unknown
}

/** A property value reached by an object path, with what it takes to compare it. */
interface Resolved {
  readonly value: unknown
  /** Name of the last property step. */
  readonly prop: string
  /** Name of the property step before it (`hashes` for `hashes.MD5`). */
  readonly parent: string | undefined
  /** `type` of the object holding the property. */
  readonly holderType: unknown
}

/** Hash algorithms whose values are hex, so compared case-insensitively (section 10.10). */
const HEX_HASHES: ReadonlySet<string> = new Set([
  'MD5',
  'SHA-1',
  'SHA-224',
  'SHA-256',
  'SHA-384',
  'SHA-512',
  'SHA3-224',
  'SHA3-256',
  'SHA3-384',
  'SHA3-512',
  'TLSH',
])

/** True when a value at `parent.prop` is a hex hash (`hashes.'SHA-256'`). */
export function isHexHashProperty(parent: string | undefined, prop: string): boolean {
  return parent === 'hashes' && HEX_HASHES.has(prop)
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isRefName = (name: string | undefined): boolean =>
  name !== undefined && (name.endsWith('_ref') || name.endsWith('_refs'))

/**
 * Every value `path` reaches from `root` within `obs`: `[*]` fans out, `[n]` picks one,
 * and a step after a `_ref`/`_refs` value dereferences it within the observation
 * (section 9.7.4). Missing properties, bad indexes and dangling references reach nothing.
 */
export function resolvePath(path: ObjectPath, root: Sco, obs: Observation): Resolved[] {
  let current: Resolved[] = [{ value: root, prop: '', parent: undefined, holderType: root['type'] }]
  for (const step of path.steps) {
    const next: Resolved[] = []
    for (const r of current) {
      let v = r.value
      switch (step.kind) {
        case 'property': {
          if (typeof v === 'string' && isRefName(r.prop)) v = obs.refs.get(v)
          if (!isRecord(v) || !Object.hasOwn(v, step.name)) break
          const value = v[step.name]
          if (value === undefined || value === null) break
          next.push({ value, prop: step.name, parent: r.prop, holderType: v['type'] })
          break
        }
        case 'index': {
          if (!Array.isArray(v) || step.index >= v.length) break
          const value: unknown = v[step.index]
          if (value !== undefined && value !== null) next.push({ ...r, value })
          break
        }
        case 'any-index': {
          if (!Array.isArray(v)) break
          for (const value of v as unknown[])
            if (value !== undefined && value !== null) next.push({ ...r, value })
          break
        }
      }
    }
    current = next
    if (current.length === 0) break
  }
  return current
}

const isIpHolder = (r: Resolved): boolean =>
  r.prop === 'value' && (r.holderType === 'ipv4-addr' || r.holderType === 'ipv6-addr')

function ipVersionOf(r: Resolved): 4 | 6 {
  return r.holderType === 'ipv4-addr' ? 4 : 6
}

/** Bytes of a binary (`_bin`, base64) or hex (`_hex`) property, if it is one and decodes. */
function propertyBytes(r: Resolved): Uint8Array | undefined | 'not-binary' {
  if (typeof r.value !== 'string')
    return r.prop.endsWith('_bin') || r.prop.endsWith('_hex') ? undefined : 'not-binary'
  if (r.prop.endsWith('_bin')) {
    const bytes = decodeBase64(r.value.replace(/[\r\n]/g, ''))
    return typeof bytes === 'string' ? undefined : bytes
  }
  if (r.prop.endsWith('_hex')) {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(r.value)) return undefined
    const out = new Uint8Array(r.value.length / 2)
    for (let i = 0; i < out.length; i++) out[i] = parseInt(r.value.slice(i * 2, i * 2 + 2), 16)
    return out
  }
  return 'not-binary'
}

/** A string as octets when every code point is below U+0100 (section 9.2, 9.6.4). */
export function latin1Bytes(text: string): Uint8Array | undefined {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff) return undefined
    out[i] = c
  }
  return out
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0)
  return a.length - b.length
}

/** Code point order (section 9.6.2); differs from UTF-16 order around surrogates. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/**
 * Orders a resolved value against a constant: negative, zero, positive, or `undefined` when
 * the types are not comparable (section 9.6.1: such comparisons are false, `!=` true).
 */
function order(r: Resolved, c: ScalarConstant): number | undefined {
  const v = r.value
  switch (c.kind) {
    case 'string': {
      const bytes = propertyBytes(r)
      if (bytes !== 'not-binary') {
        const cb = latin1Bytes(c.value)
        return bytes && cb ? compareBytes(bytes, cb) : undefined
      }
      if (typeof v !== 'string') return undefined
      if (isHexHashProperty(r.parent, r.prop))
        return compareCodePoints(v.toLowerCase(), c.value.toLowerCase())
      return compareCodePoints(v, c.value)
    }
    case 'int':
    case 'float':
      return typeof v === 'number' ? v - c.value : undefined
    case 'bool':
      return undefined
    case 'binary':
    case 'hex': {
      let bytes = propertyBytes(r)
      if (bytes === 'not-binary') bytes = typeof v === 'string' ? latin1Bytes(v) : undefined
      return bytes ? compareBytes(bytes, c.value) : undefined
    }
    case 'timestamp': {
      const micros = timestampMicros(v)
      return micros === undefined ? undefined : micros - c.micros
    }
  }
}

/** Equality, type-aware: IP blocks, hex hashes, binary, timestamps as instants. */
function equals(r: Resolved, c: ScalarConstant): boolean | undefined {
  if (c.kind === 'bool') return typeof r.value === 'boolean' ? r.value === c.value : undefined
  if (c.kind === 'string' && typeof r.value === 'string' && isIpHolder(r)) {
    const version = ipVersionOf(r)
    const a = parseIpNetwork(r.value, version)
    const b = parseIpNetwork(c.value, version)
    // `198.51.100.1/32` and `198.51.100.1` are the same address (section 9.3 examples).
    if (a && b) return networksEqual(a, b)
  }
  const o = order(r, c)
  return o === undefined ? undefined : o === 0
}

/** SQL LIKE over code points: `%` any run, `_` exactly one; no escape character. */
export function likeMatches(value: string, pattern: string): boolean {
  const s = Array.from(value.normalize('NFC'))
  const p = Array.from(pattern.normalize('NFC'))
  let si = 0
  let pi = 0
  let star = -1
  let mark = 0
  // Greedy wildcard matching with one backtrack point: O(len(s) x len(p)) at worst.
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '_' || (p[pi] !== '%' && p[pi] === s[si]))) {
      si++
      pi++
    } else if (pi < p.length && p[pi] === '%') {
      star = pi++
      mark = si
    } else if (star >= 0) {
      pi = star + 1
      si = ++mark
    } else {
      return false
    }
  }
  while (pi < p.length && p[pi] === '%') pi++
  return pi === p.length
}

function regexMatches(r: Resolved, source: string): boolean | undefined {
  const regex = compileRegex(source)
  const bytes = propertyBytes(r)
  if (bytes !== 'not-binary') return bytes ? regex.testBytes(bytes) : undefined
  if (typeof r.value !== 'string') return undefined
  return regex.test(r.value.normalize('NFC'))
}

function setOperator(r: Resolved, c: Constant, op: 'ISSUBSET' | 'ISSUPERSET'): boolean | undefined {
  if (c.kind !== 'string' || typeof r.value !== 'string' || !isIpHolder(r)) return undefined
  const version = ipVersionOf(r)
  const a = parseIpNetwork(r.value, version)
  const b = parseIpNetwork(c.value, version)
  if (!a || !b) return undefined
  return op === 'ISSUBSET' ? networkContains(b, a) : networkContains(a, b)
}

/** One resolved value against the constant; `undefined` when the types do not compare. */
function compareOne(r: Resolved, cmp: Comparison): boolean | undefined {
  const c = cmp.value
  if (cmp.operator === 'IN') {
    if (c.kind !== 'list') return undefined
    let comparable = false
    for (const item of c.items) {
      const eq = equals(r, item)
      if (eq) return true
      if (eq === false) comparable = true
    }
    return comparable ? false : undefined
  }
  if (c.kind === 'list') return undefined
  switch (cmp.operator) {
    case '=':
      return equals(r, c)
    case '!=': {
      const eq = equals(r, c)
      return eq === undefined ? undefined : !eq
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const o = order(r, c)
      if (o === undefined || Number.isNaN(o)) return undefined
      return cmp.operator === '<'
        ? o < 0
        : cmp.operator === '<='
          ? o <= 0
          : cmp.operator === '>'
            ? o > 0
            : o >= 0
    }
    case 'LIKE':
      return c.kind === 'string' && typeof r.value === 'string' && propertyBytes(r) === 'not-binary'
        ? likeMatches(r.value, c.value)
        : undefined
    case 'MATCHES':
      return c.kind === 'string' ? regexMatches(r, c.value) : undefined
    case 'ISSUBSET':
    case 'ISSUPERSET':
      return setOperator(r, c, cmp.operator)
  }
}

/**
 * Evaluates one comparison against the SCO `root` (section 9.6): false when the path is not
 * present, whatever the operator; true when any reached value satisfies it (`[*]`); `NOT`
 * negates the result for present values; incomparable types are false except for `!=`.
 * Matched values are appended to `matched` when given.
 */
export function evaluateComparison(
  cmp: Comparison,
  root: Sco,
  obs: Observation,
  matched?: MatchedValue[],
): boolean {
  if (root['type'] !== cmp.path.objectType) return false
  const values = resolvePath(cmp.path, root, obs)
  if (values.length === 0) return false
  let hit: Resolved | undefined
  for (const r of values) {
    const result = compareOne(r, cmp)
    const truth = result === undefined ? cmp.operator === '!=' : result
    if (truth) {
      hit = r
      break
    }
  }
  const outcome = cmp.negated ? hit === undefined : hit !== undefined
  if (outcome && matched) {
    const shown = hit ?? values[0]!
    matched.push({
      type: cmp.path.objectType,
      path: formatObjectPath(cmp.path),
      value: shown.value,
    })
  }
  return outcome
}

/**
 * Evaluates a comparison expression with every path starting at the same SCO `root`
 * (section 9.5). `matched` collects the values of the comparisons that made it true.
 */
export function evaluateComparisonExpr(
  expr: ComparisonExpr,
  root: Sco,
  obs: Observation,
  matched?: MatchedValue[],
): boolean {
  switch (expr.kind) {
    case 'comparison':
      return evaluateComparison(expr, root, obs, matched)
    case 'exists': {
      if (root['type'] !== expr.path.objectType) return false
      const present = resolvePath(expr.path, root, obs).length > 0
      const outcome = expr.negated ? !present : present
      if (outcome && present && matched)
        matched.push({
          type: expr.path.objectType,
          path: formatObjectPath(expr.path),
          value: resolvePath(expr.path, root, obs)[0]?.value,
        })
      return outcome
    }
    case 'comparison-and': {
      const mark = matched?.length ?? 0
      for (const op of expr.operands) {
        if (!evaluateComparisonExpr(op, root, obs, matched)) {
          if (matched) matched.length = mark
          return false
        }
      }
      return true
    }
    case 'comparison-or':
      for (const op of expr.operands)
        if (evaluateComparisonExpr(op, root, obs, matched)) return true
      return false
  }
}

/**
 * Matches an observation expression's `[...]` body against one observation: true when some
 * SCO of the observation satisfies it as the common starting object (section 9.5).
 * Returns the matched values, or `undefined` when it does not match.
 */
export function matchObservation(
  expr: ComparisonExpr,
  obs: Observation,
): MatchedValue[] | undefined {
  for (const root of obs.objects) {
    const matched: MatchedValue[] = []
    if (evaluateComparisonExpr(expr, root, obs, matched)) return matched
  }
  return undefined
}

const PLAIN_PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Pattern text of an object path (`file:hashes.'SHA-256'`, `x:list[*].name`). */
export function formatObjectPath(path: ObjectPath): string {
  let text = `${path.objectType}:`
  path.steps.forEach((step, i) => {
    switch (step.kind) {
      case 'property': {
        const name = PLAIN_PROPERTY.test(step.name)
          ? step.name
          : `'${step.name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
        text += i === 0 ? name : `.${name}`
        break
      }
      case 'index':
        text += `[${step.index}]`
        break
      case 'any-index':
        text += '[*]'
        break
    }
  })
  return text
}

/** Every regular expression of `MATCHES` in the pattern compiles (section 9.4: else no match). */
export function patternRegexErrors(expr: ObservationExpr | ComparisonExpr): string[] {
  const errors: string[] = []
  const visit = (e: ObservationExpr | ComparisonExpr): void => {
    switch (e.kind) {
      case 'observation':
        visit(e.expr)
        break
      case 'observation-and':
      case 'observation-or':
      case 'followed-by':
      case 'comparison-and':
      case 'comparison-or':
        e.operands.forEach(visit)
        break
      case 'qualified':
        visit(e.expr)
        break
      case 'exists':
        break
      case 'comparison':
        if (e.operator === 'MATCHES' && e.value.kind === 'string') {
          try {
            compileRegex(e.value.value)
          } catch (error) {
            errors.push(error instanceof Error ? error.message : String(error))
          }
        }
        break
    }
  }
  visit(expr)
  return errors
}

/** Result of {@link evaluatePattern}. */
export interface PatternMatch {
  matched: boolean
  /** The observations of the first match found, each with the values that matched. */
  observations: { id: string; matched: MatchedValue[] }[]
}

/**
 * Evaluates a whole pattern (section 9.4) against a set of observations: true when some of
 * them satisfy it, honouring `AND`/`OR`/`FOLLOWEDBY` across distinct observations,
 * `WITHIN`, `REPEATS` (with `number_observed`) and `START`/`STOP`. An unparsable pattern or
 * an unusable regular expression matches nothing.
 *
 * @example evaluatePattern("[ipv4-addr:value = '198.51.100.1/32']", observations).matched
 */
export function evaluatePattern(
  pattern: Pattern | string,
  observations: readonly Observation[],
): PatternMatch {
  let parsed: Pattern
  if (typeof pattern === 'string') {
    const result = parsePattern(pattern)
    if (!result.ok) return { matched: false, observations: [] }
    parsed = result.pattern
  } else {
    parsed = pattern
  }
  if (patternRegexErrors(parsed.expr).length > 0) return { matched: false, observations: [] }
  const state = new ObservationState(parsed.expr, { historyLimit: 1024, combinationLimit: 64 })
  const sorted = [...observations].sort(
    (a, b) => a.firstObserved - b.firstObserved || a.lastObserved - b.lastObserved,
  )
  for (const obs of sorted) {
    const hit = state.push(obs, (leaf) => matchObservation(leaf, obs))
    if (hit)
      return { matched: true, observations: hit.map((o) => ({ id: o.id, matched: o.matched })) }
  }
  return { matched: false, observations: [] }
}
