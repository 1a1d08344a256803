import {
  ast,
  type Comparison,
  type ComparisonExpr,
  type ObjectPath,
  type ObservationExpr,
  type Qualifier,
  type ScalarConstant,
  type Span,
} from './ast.js'
import { AppError } from '../errors.js'
import { parseIpNetwork } from './ip.js'
import { describePosition } from './lexer.js'
import { parsePattern, type ParseOptions } from './parse-pattern.js'
import { isPlainRegex } from './plain-regex.js'
import type { PatternIssue, PatternValidation } from './pattern-issue.js'
import { printPath } from './print-pattern.js'
import { parseRegex } from './regex/regex-syntax.js'
import {
  HASH_ALGORITHMS,
  NON_SCO_TYPES,
  SCO_PROPERTIES,
  SCO_TYPE_NAMES,
  type PropertyTable,
  type PropertyType,
} from './sco-properties.js'

/**
 * Validates a STIX pattern (STIX 2.1 section 9): the syntax error if it does not parse,
 * errors for the MUST rules the grammar cannot express, and warnings for what is legal but
 * almost certainly wrong.
 *
 * Errors (severity `error`, the pattern is not valid):
 * - `PATTERN_SYNTAX`: does not parse (see {@link parsePattern});
 * - `mixed-object-types`: operands of `AND` inside one observation can never match the same
 *   object because they start from different object types (section 9.5);
 * - `duplicate-qualifier`: two qualifiers of one kind on the same expression (section 9.5.1);
 * - `empty-time-window`: `START` is not before `STOP` (section 9.5.1);
 * - `mixed-list-types`: the `IN` list mixes constant types (section 9.6.1);
 * - `PATTERN_REGEX`: a `MATCHES` regular expression that is not valid PCRE.
 *
 * Warnings: `unknown-object-type`, `invalid-object-type`, `not-an-observable-type`,
 * `unknown-property`, `unknown-extension`, `unknown-hash-algorithm`, `missing-list-index`,
 * `not-a-list`, `not-an-object`, `type-mismatch`, `never-true` (e.g.
 * `ipv4-addr:value = 'not-an-ip'`, a hash of the wrong length), `unsupported-regex` (valid
 * PCRE that the linear-time matcher cannot run).
 *
 * @example
 * ```ts
 * const v = validatePattern("[ipv4-addr:value = 'not-an-ip']")
 * v.ok          // true: it parses and breaks no MUST rule
 * v.warnings[0] // { code: 'never-true', message: "column 2: ...", ... }
 * ```
 */
export function validatePattern(text: string, options: ParseOptions = {}): PatternValidation {
  const parsed = parsePattern(text, options)
  if (!parsed.ok) return { ok: false, errors: [parsed.error], warnings: [] }
  const v = new Validator()
  v.observation(parsed.pattern.expr)
  return {
    ok: v.errors.length === 0,
    pattern: parsed.pattern,
    errors: v.errors,
    warnings: v.warnings,
  }
}

/** What an object path resolves to: its value type when known, and the objects holding it. */
interface Resolved {
  /** `undefined` when unknown (custom types, dictionaries, after an earlier warning). */
  type: PropertyType | undefined
  /** The SCO types whose property this is (for `value` checks of addresses). */
  owners: readonly string[]
  /** The last property name. */
  name: string
  /** Set when the path ends at `hashes.<algorithm>`. */
  hashAlgorithm?: string
}

/** The type of a value in a `hashes` dictionary. */
const HASH_VALUE: PropertyType = { kind: 'string' }

const TYPE_NAME_CHARS = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
const MAC_ADDRESS = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/

function describeType(t: PropertyType): string {
  switch (t.kind) {
    case 'string':
    case 'integer':
    case 'float':
    case 'boolean':
    case 'timestamp':
    case 'binary':
    case 'hex':
    case 'dictionary':
      return `${t.kind === 'integer' ? 'an' : 'a'} ${t.kind}`
    case 'hashes':
      return 'a hashes dictionary'
    case 'ref':
      return 'an object reference'
    case 'list':
      return 'a list'
    case 'object':
      return `an object (${t.name})`
    case 'extensions':
      return 'the extensions dictionary'
  }
}

function describeConstant(c: ScalarConstant): string {
  switch (c.kind) {
    case 'string':
      return 'a string'
    case 'int':
      return 'an integer'
    case 'float':
      return 'a float'
    case 'bool':
      return 'a boolean'
    case 'binary':
      return 'a binary constant'
    case 'hex':
      return 'a hex constant'
    case 'timestamp':
      return 'a timestamp'
  }
}

/** Whether a constant may be compared with a property type at all (section 9.2 table). */
function comparable(t: PropertyType, c: ScalarConstant): boolean {
  switch (t.kind) {
    case 'string':
    case 'binary':
    case 'hex':
      return c.kind === 'string' || c.kind === 'binary' || c.kind === 'hex'
    case 'integer':
    case 'float':
      return c.kind === 'int' || c.kind === 'float'
    case 'boolean':
      return c.kind === 'bool'
    case 'timestamp':
      return c.kind === 'timestamp'
    case 'ref':
      // An identifier is a string.
      return c.kind === 'string'
    case 'hashes':
    case 'dictionary':
    case 'list':
    case 'object':
    case 'extensions':
      return false
  }
}

/** Constant kinds that count as one type for the homogeneity rule of `IN`. */
function constantFamily(c: ScalarConstant): string {
  return c.kind === 'int' ? 'float' : c.kind
}

class Validator {
  readonly errors: PatternIssue[] = []
  readonly warnings: PatternIssue[] = []

  private add(severity: 'error' | 'warning', code: string, message: string, at: Span): void {
    const p = at.start
    this.warningsOrErrors(severity).push({
      severity,
      code,
      message: `${describePosition(p)}: ${message}`,
      offset: p.offset,
      line: p.line,
      column: p.column,
    })
  }

  private warningsOrErrors(severity: 'error' | 'warning'): PatternIssue[] {
    return severity === 'error' ? this.errors : this.warnings
  }

  private warn(code: string, message: string, at: Span): void {
    this.add('warning', code, message, at)
  }

  // ---- observation level ----

  observation(node: ObservationExpr): void {
    switch (node.kind) {
      case 'observation':
        this.comparisonTree(node.expr)
        return
      case 'observation-and':
      case 'observation-or':
      case 'followed-by':
        for (const o of node.operands) this.observation(o)
        return
      case 'qualified':
        this.qualifier(node.qualifier)
        this.duplicateQualifiers(node)
        this.observation(node.expr)
        return
    }
  }

  private qualifier(q: Qualifier): void {
    if (q.kind === 'start-stop' && q.start.micros >= q.stop.micros) {
      this.add(
        'error',
        'empty-time-window',
        `START t'${q.start.text}' is not before STOP t'${q.stop.text}': no observation time can be >= START and < STOP (STIX 2.1 section 9.5.1)`,
        q.span,
      )
    }
  }

  /** Section 9.5.1: at most one qualifier of each kind on one observation expression. */
  private duplicateQualifiers(node: ObservationExpr & { kind: 'qualified' }): void {
    let inner = node.expr
    while (inner.kind === 'qualified') {
      if (inner.qualifier.kind === node.qualifier.kind) {
        const name = qualifierKeyword(node.qualifier)
        this.add(
          'error',
          'duplicate-qualifier',
          `a second ${name} qualifier on the same observation expression (the first is at ${describePosition(inner.qualifier.span.start)}); an observation expression MUST NOT have more than one qualifier of a type (STIX 2.1 section 9.5.1)`,
          node.qualifier.span,
        )
        return
      }
      inner = inner.expr
    }
  }

  // ---- comparison level ----

  private comparisonTree(expr: ComparisonExpr): void {
    // A single comparison has no AND to check.
    if (expr.kind === 'comparison-and' || expr.kind === 'comparison-or') this.objectTypes(expr)
    this.comparisons(expr)
  }

  /**
   * The object types an expression can match, distinct and in order of appearance; reports
   * `AND`s whose operands share none (section 9.5: all operands of AND MUST be satisfiable by
   * the same object).
   */
  private objectTypes(expr: ComparisonExpr): readonly string[] {
    switch (expr.kind) {
      case 'comparison':
      case 'exists':
        return [expr.path.objectType]
      case 'comparison-or': {
        const all: string[] = []
        for (const o of expr.operands) addDistinct(all, this.objectTypes(o))
        return all
      }
      case 'comparison-and': {
        let common: readonly string[] | undefined
        const seen: string[] = []
        for (const o of expr.operands) {
          const types = this.objectTypes(o)
          addDistinct(seen, types)
          common = common === undefined ? types : intersect(common, types)
        }
        if (common !== undefined && common.length === 0) {
          this.add(
            'error',
            'mixed-object-types',
            `AND joins comparisons on different object types (${seen.join(', ')}); all operands of AND in an observation expression MUST match the same object, so join them with OR or use separate observations [..] AND [..] (STIX 2.1 section 9.5)`,
            expr.span,
          )
          // Report once: treat the AND as matching anything its operands match.
          return seen
        }
        return common ?? []
      }
    }
  }

  private comparisons(expr: ComparisonExpr): void {
    switch (expr.kind) {
      case 'comparison':
        this.comparison(expr)
        return
      case 'exists':
        this.resolvePath(expr.path, true)
        return
      case 'comparison-and':
      case 'comparison-or':
        for (const o of expr.operands) this.comparisons(o)
        return
    }
  }

  private comparison(c: Comparison): void {
    const resolved = this.resolvePath(c.path, false)
    const value = c.value
    if (value.kind === 'list') {
      const first = value.items[0]
      if (first === undefined) {
        this.warn(
          'never-true',
          `IN with an empty list is ${c.negated ? 'always true' : 'never true'}`,
          value.span,
        )
      }
      for (const item of value.items) {
        if (first !== undefined && constantFamily(item) !== constantFamily(first)) {
          this.add(
            'error',
            'mixed-list-types',
            `the IN list mixes ${describeConstant(first)} and ${describeConstant(item)}; its values MUST be constants of one type (STIX 2.1 section 9.6.1)`,
            item.span,
          )
          break
        }
      }
      for (const item of value.items) this.operand(c, resolved, item)
      return
    }
    this.operand(c, resolved, value)
  }

  /** Checks one constant against the resolved property of comparison `c`. */
  private operand(c: Comparison, r: Resolved, value: ScalarConstant): void {
    const op = c.operator
    // "never true" flips to "always true" for != and for NOT (section 9.6.1).
    const verdict = (op === '!=') !== c.negated ? 'always true' : 'never true'
    if (op === 'MATCHES' && value.kind === 'string') this.regex(value.value, value.span)
    const t = r.type
    if (t === undefined) return
    if (op === 'ISSUBSET' || op === 'ISSUPERSET') {
      this.setOperator(c, r, value)
      return
    }
    if (op === 'LIKE' || op === 'MATCHES') {
      if (t.kind !== 'string' && t.kind !== 'binary' && t.kind !== 'hex' && t.kind !== 'ref') {
        this.warn(
          'type-mismatch',
          `${op} applies to strings, but ${printPath(c.path)} is ${describeType(t)}; the comparison is ${verdict} (STIX 2.1 section 9.6.1)`,
          c.span,
        )
      }
      return
    }
    if (!comparable(t, value)) {
      this.warn(
        'type-mismatch',
        `${printPath(c.path)} is ${describeType(t)} but is compared with ${describeConstant(value)}; the comparison is ${verdict} (STIX 2.1 sections 9.2 and 9.6.1)`,
        value.span,
      )
      return
    }
    if (value.kind !== 'string') return
    if ((t.kind === 'binary' || t.kind === 'hex') && hasCodePointAbove(value.value, 0xff)) {
      this.warn(
        'never-true',
        `${printPath(c.path)} is binary and the string has code points above U+00FF, so it cannot be converted to bytes; the comparison is ${verdict} (STIX 2.1 section 9.6.4)`,
        value.span,
      )
      return
    }
    if (op !== '=' && op !== '!=' && op !== 'IN') return
    this.valueFormat(r, value, c.path, verdict)
  }

  /** Equality with a value that the property can never hold. */
  private valueFormat(
    r: Resolved,
    value: ScalarConstant & { kind: 'string' },
    path: ObjectPath,
    verdict: string,
  ): void {
    const s = value.value
    if (r.hashAlgorithm !== undefined) {
      const length = HASH_ALGORITHMS.get(r.hashAlgorithm)
      if (length !== undefined && (s.length !== length || !isHexDigits(s))) {
        this.warn(
          'never-true',
          `${r.hashAlgorithm === 'MD5' ? 'an' : 'a'} ${r.hashAlgorithm} hash is ${length} hex digits, but '${truncate(s)}' is ${isHexDigits(s) ? `${s.length} digits` : 'not hex'}; the comparison is ${verdict}`,
          value.span,
        )
      }
      return
    }
    if (r.name !== 'value' || r.owners.length === 0) return
    if (allAre(r.owners, 'ipv4-addr', 'ipv6-addr')) {
      const version = allAre(r.owners, 'ipv4-addr')
        ? 4
        : allAre(r.owners, 'ipv6-addr')
          ? 6
          : undefined
      if (parseIpNetwork(s, version) === undefined) {
        const what = version === 4 ? 'an IPv4' : version === 6 ? 'an IPv6' : 'an IP'
        const where =
          version === 4 ? 'section 6.8' : version === 6 ? 'section 6.9' : 'sections 6.8, 6.9'
        this.warn(
          'never-true',
          `'${truncate(s)}' is not ${what} address or CIDR block, so ${printPath(path)} can never equal it; the comparison is ${verdict} (STIX 2.1 ${where})`,
          value.span,
        )
      }
    } else if (allAre(r.owners, 'mac-addr') && !MAC_ADDRESS.test(s)) {
      this.warn(
        'never-true',
        `'${truncate(s)}' is not a lowercase, colon-delimited MAC-48 address, which mac-addr values MUST be; the comparison is ${verdict} (STIX 2.1 section 6.10)`,
        value.span,
      )
    }
  }

  private setOperator(c: Comparison, r: Resolved, value: ScalarConstant): void {
    const v4 = r.owners.includes('ipv4-addr')
    const v6 = r.owners.includes('ipv6-addr')
    if (r.name !== 'value' || (!v4 && !v6)) {
      this.warn(
        'never-true',
        `${c.operator} needs the value property of an ipv4-addr or ipv6-addr object, but ${printPath(c.path)} is not one (STIX 2.1 section 9.6.1)`,
        c.path.span,
      )
      return
    }
    if (value.kind !== 'string') return
    const version = v4 && v6 ? undefined : v4 ? (4 as const) : (6 as const)
    if (parseIpNetwork(value.value, version) === undefined) {
      this.warn(
        'never-true',
        `'${truncate(value.value)}' is not ${version === 4 ? 'an IPv4' : version === 6 ? 'an IPv6' : 'an IP'} address or CIDR block, so ${c.operator} is ${c.negated ? 'always' : 'never'} true (STIX 2.1 section 9.6.1)`,
        value.span,
      )
    }
  }

  private regex(source: string, at: Span): void {
    // The common simple expressions are known to parse: skip building their syntax tree.
    if (isPlainRegex(source)) return
    try {
      parseRegex(source)
    } catch (error) {
      const reason =
        error instanceof AppError
          ? (error.detail ?? error.message)
          : error instanceof Error
            ? error.message
            : String(error)
      if (isValidJsRegex(source)) {
        this.warn(
          'unsupported-regex',
          `the regular expression is not supported by the linear-time matcher and will not match: ${reason}`,
          at,
        )
      } else {
        this.add('error', 'PATTERN_REGEX', `invalid regular expression: ${reason}`, at)
      }
    }
  }

  // ---- object paths ----

  /**
   * Walks an object path through the SCO tables, warning at the first step that cannot
   * exist; the result is unknown (no further checks) past custom types, dictionaries and
   * the first warning.
   */
  private resolvePath(path: ObjectPath, forExists: boolean): Resolved {
    const objectType = path.objectType
    // Where the next property name is looked up: one table, or several behind a reference.
    let scope = TYPE_SCOPES.get(objectType)
    if (scope === undefined) {
      this.objectTypeWarning(path)
      return unknownAt('')
    }
    // The type of the value reached so far; undefined while still at the object itself.
    let current: PropertyType | undefined
    let owners: readonly string[] = scope.owners
    let name = ''
    const steps = path.steps
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]
      if (step === undefined) break
      if (step.kind !== 'property') {
        if (current?.kind !== 'list') {
          if (current !== undefined) {
            this.warn(
              'not-a-list',
              `${printPathPrefix(path, i)} is ${describeType(current)}, not a list, so it cannot be indexed (STIX 2.1 section 9.7.2)`,
              step.span,
            )
          }
          return unknownAt(name)
        }
        current = current.of
        continue
      }
      if (current !== undefined) {
        if (current.kind === 'list') {
          const before = printPathPrefix(path, i)
          this.warn(
            'missing-list-index',
            `'${name}' is a list: write ${before}[*] or ${before}[n] before .${step.name} (STIX 2.1 section 9.7.2)`,
            step.span,
          )
          current = current.of
        }
        switch (current.kind) {
          case 'object':
          case 'ref':
            scope = nestedScope(current)
            break
          case 'extensions': {
            const ext = current.known.get(step.name)
            if (ext === undefined) {
              if (!isCustomExtensionName(step.name)) {
                const known = [...current.known.keys()].join(', ') || 'none'
                this.warn(
                  'unknown-extension',
                  `'${step.name}' is not an extension defined for ${objectType} (known: ${known}); custom extensions are named 'x-...' or 'extension-definition--<uuid>' (STIX 2.1 sections ${sectionOf(objectType)} and 7.3)`,
                  step.span,
                )
              }
              return unknownAt(step.name)
            }
            current = ext
            name = step.name
            continue
          }
          case 'hashes':
            return this.hashKey(step.name, step.span, owners)
          case 'dictionary':
            return unknownAt(step.name)
          case 'string':
          case 'integer':
          case 'float':
          case 'boolean':
          case 'timestamp':
          case 'binary':
          case 'hex':
          case 'list':
            this.warn(
              'not-an-object',
              `${printPathPrefix(path, i)} is ${describeType(current)}, it has no property '${step.name}' (STIX 2.1 section 9.7)`,
              step.span,
            )
            return unknownAt(step.name)
        }
      }
      const found = lookUp(scope, step.name)
      if (found === undefined) {
        if (!step.name.startsWith('x_')) {
          const holders = scope.holders
          const where = holders.map((h) => h.owner).join(' or ')
          const list = [...new Set(holders.map((h) => sectionOf(h.owner)))]
          const sections = `section${list.length > 1 ? 's' : ''} ${list.join(', ')}`
          this.warn(
            'unknown-property',
            `'${step.name}' is not a property of ${where} (STIX 2.1 ${sections}); custom properties start with 'x_'`,
            step.span,
          )
        }
        return unknownAt(step.name)
      }
      current = found.type
      owners = found.owners
      name = step.name
    }
    if (current?.kind === 'list' && !forExists) {
      const printed = printPath(path)
      this.warn(
        'missing-list-index',
        `'${name}' is a list: compare its items with ${printed}[*] or ${printed}[n] (STIX 2.1 section 9.7.2)`,
        path.span,
      )
      current = current.of
    }
    return { type: current, owners, name }
  }

  /** The key after `hashes`: an algorithm of hash-algorithm-ov (section 10.7). */
  private hashKey(key: string, at: Span, owners: readonly string[]): Resolved {
    if (HASH_ALGORITHMS.has(key)) return { type: HASH_VALUE, owners, name: key, hashAlgorithm: key }
    const resolved: Resolved = { type: HASH_VALUE, owners, name: key }
    const canonical = [...HASH_ALGORITHMS.keys()].find(
      (k) => normalizeHashName(k) === normalizeHashName(key),
    )
    this.warn(
      'unknown-hash-algorithm',
      canonical !== undefined
        ? `hash algorithm '${key}' is written '${canonical}' in hash-algorithm-ov (STIX 2.1 section 10.7); hashes keys match exactly`
        : `'${key}' is not in hash-algorithm-ov (MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP, TLSH; STIX 2.1 section 10.7)`,
      at,
    )
    return canonical === undefined ? resolved : { ...resolved, hashAlgorithm: canonical }
  }

  private objectTypeWarning(path: ObjectPath): void {
    const t = path.objectType
    const span = path.span
    if (NON_SCO_TYPES.has(t)) {
      this.warn(
        'not-an-observable-type',
        `'${t}' is not a cyber-observable object type; patterns match SCOs (STIX 2.1 sections 6 and 9.7)`,
        span,
      )
    } else if (!TYPE_NAME_CHARS.test(t) || t.length < 3 || t.length > 250) {
      this.warn(
        'invalid-object-type',
        `'${t}' is not a valid object type name: use 3 to 250 characters a-z, 0-9 and single hyphens (STIX 2.1 section 7.3)`,
        span,
      )
    } else if (!t.startsWith('x-')) {
      this.warn(
        'unknown-object-type',
        `unknown object type '${t}': not one of the 18 SCO types of STIX 2.1 section 6 (custom types are named 'x-...'); its properties are not checked`,
        span,
      )
    }
  }
}

interface Holder {
  readonly owner: string
  readonly props: PropertyTable
}

/**
 * The tables a property name is looked up in at one step of a path (one SCO or embedded type,
 * or every SCO type a reference may point to), with the names found so far. Scopes are built
 * once per type and kept, so a path walk does not rebuild or refilter them.
 */
interface Scope {
  readonly holders: readonly Holder[]
  /** The owners of every holder (the owners before any name is looked up). */
  readonly owners: readonly string[]
  /** Names found in some holder; only names of the static tables, so it stays small. */
  readonly found: Map<string, Found>
}

/** A property found in a scope: its type in the first holder that has it, and all owners. */
interface Found {
  readonly type: PropertyType
  readonly owners: readonly string[]
}

function makeScope(holders: readonly Holder[]): Scope {
  return { holders, owners: holders.map((h) => h.owner), found: new Map() }
}

const TYPE_SCOPES: ReadonlyMap<string, Scope> = new Map(
  [...SCO_PROPERTIES].map(([type, props]) => [type, makeScope([{ owner: type, props }])]),
)

/** Scopes of embedded object types and of references, keyed by their (static) table entry. */
const NESTED_SCOPES = new Map<PropertyType, Scope>()

function nestedScope(t: PropertyType & { kind: 'object' | 'ref' }): Scope {
  let scope = NESTED_SCOPES.get(t)
  if (scope === undefined) {
    const holders: Holder[] = []
    if (t.kind === 'object') holders.push({ owner: t.name, props: t.properties })
    else {
      for (const to of t.to) {
        const props = SCO_PROPERTIES.get(to)
        if (props !== undefined) holders.push({ owner: to, props })
      }
    }
    scope = makeScope(holders)
    NESTED_SCOPES.set(t, scope)
  }
  return scope
}

function lookUp(scope: Scope, name: string): Found | undefined {
  const cached = scope.found.get(name)
  if (cached !== undefined) return cached
  let type: PropertyType | undefined
  const owners: string[] = []
  for (const h of scope.holders) {
    const t = h.props.get(name)
    if (t === undefined) continue
    type ??= t
    owners.push(h.owner)
  }
  if (type === undefined) return undefined
  const found: Found = { type, owners }
  scope.found.set(name, found)
  return found
}

function unknownAt(name: string): Resolved {
  return { type: undefined, owners: [], name }
}

/** The section of STIX 2.1 that defines an SCO type (6.1-6.18, in table order), else 6. */
function sectionOf(type: string): string {
  const i = SCO_TYPE_NAMES.indexOf(type)
  return i < 0 ? '6' : `6.${i + 1}`
}

function isCustomExtensionName(name: string): boolean {
  return name.startsWith('x-') || name.startsWith('extension-definition--')
}

/** The printed path up to (not including) step `n`. */
function printPathPrefix(path: ObjectPath, n: number): string {
  return printPath(
    ast.path({ objectType: path.objectType, steps: path.steps.slice(0, n), span: path.span }),
  )
}

function qualifierKeyword(q: Qualifier): string {
  switch (q.kind) {
    case 'within':
      return 'WITHIN'
    case 'repeats':
      return 'REPEATS'
    case 'start-stop':
      return 'START/STOP'
  }
}

function intersect(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = []
  for (const x of a) if (b.includes(x)) out.push(x)
  return out
}

/** Appends the items of `from` that `to` does not hold yet (lists of a few object types). */
function addDistinct(to: string[], from: readonly string[]): void {
  for (const t of from) if (!to.includes(t)) to.push(t)
}

function normalizeHashName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '')
}

/** Whether every owner is `a` or `b`. */
function allAre(owners: readonly string[], a: string, b: string = a): boolean {
  for (const o of owners) if (o !== a && o !== b) return false
  return true
}

/** Whether `s` holds only hex digits (a character loop: this runs for every hash compared). */
function isHexDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false
  }
  return true
}

function hasCodePointAbove(s: string, max: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > max) return true
  return false
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/** JavaScript's (non-unicode, Annex B) syntax accepts nearly all PCRE that our engine does not. */
function isValidJsRegex(source: string): boolean {
  try {
    new RegExp(source, 's')
    return true
  } catch {
    return false
  }
}
