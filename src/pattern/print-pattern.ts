import type {
  ComparisonExpr,
  Constant,
  ObjectPath,
  ObservationExpr,
  Pattern,
  Qualifier,
} from './ast.js'

/**
 * Prints a pattern AST as canonical STIX pattern text (STIX 2.1 section 9): single spaces,
 * uppercase keywords, only the parentheses that precedence (section 9.5.3) requires, path
 * components quoted when they are not plain identifiers, and constants re-escaped (binary
 * re-encoded as base64, hex as lowercase digits).
 *
 * `parsePattern(printPattern(p))` yields `p` again, spans aside.
 *
 * @example
 * ```ts
 * const r = parsePattern("[ file:hashes.MD5='79054025255fb1a26e4bc422aef54eb4' ]  WITHIN 300 SECONDS")
 * if (r.ok) printPattern(r.pattern)
 * // "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] WITHIN 300 SECONDS"
 * ```
 */
export function printPattern(pattern: Pattern | ObservationExpr): string {
  return printObservation(pattern.kind === 'pattern' ? pattern.expr : pattern)
}

function observationPrecedence(node: ObservationExpr): number {
  switch (node.kind) {
    case 'followed-by':
      return 1
    case 'observation-or':
      return 2
    case 'observation-and':
      return 3
    case 'qualified':
    case 'observation':
      return 4
  }
}

function printObservationOperand(node: ObservationExpr, parentPrecedence: number): string {
  const text = printObservation(node)
  // A same-operator child exists only when it was written in parentheses (chains are flat).
  return observationPrecedence(node) <= parentPrecedence ? `(${text})` : text
}

function printObservation(node: ObservationExpr): string {
  switch (node.kind) {
    case 'observation':
      return `[${printComparison(node.expr)}]`
    case 'observation-and':
      return node.operands.map((o) => printObservationOperand(o, 3)).join(' AND ')
    case 'observation-or':
      return node.operands.map((o) => printObservationOperand(o, 2)).join(' OR ')
    case 'followed-by':
      return node.operands.map((o) => printObservationOperand(o, 1)).join(' FOLLOWEDBY ')
    case 'qualified':
      return `${printObservationOperand(node.expr, 3)} ${printQualifier(node.qualifier)}`
  }
}

function printQualifier(q: Qualifier): string {
  switch (q.kind) {
    case 'within':
      return `WITHIN ${formatNumber(q.seconds, false)} SECONDS`
    case 'repeats':
      return `REPEATS ${formatNumber(q.times, false)} TIMES`
    case 'start-stop':
      return `START t'${q.start.text}' STOP t'${q.stop.text}'`
  }
}

function comparisonPrecedence(node: ComparisonExpr): number {
  switch (node.kind) {
    case 'comparison-or':
      return 1
    case 'comparison-and':
      return 2
    case 'comparison':
    case 'exists':
      return 3
  }
}

function printComparisonOperand(node: ComparisonExpr, parentPrecedence: number): string {
  const text = printComparison(node)
  return comparisonPrecedence(node) <= parentPrecedence ? `(${text})` : text
}

function printComparison(node: ComparisonExpr): string {
  switch (node.kind) {
    case 'comparison':
      return `${printPath(node.path)} ${node.negated ? 'NOT ' : ''}${node.operator} ${printConstant(node.value)}`
    case 'exists':
      return `${node.negated ? 'NOT ' : ''}EXISTS ${printPath(node.path)}`
    case 'comparison-and':
      return node.operands.map((o) => printComparisonOperand(o, 2)).join(' AND ')
    case 'comparison-or':
      return node.operands.map((o) => printComparisonOperand(o, 1)).join(' OR ')
  }
}

/** Words other STIX pattern grammars lex as keywords; as property names they get quoted. */
const RESERVED: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUBSET',
  'ISSUPERSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
  'true',
  'false',
])

function isPlainName(name: string): boolean {
  if (name.length === 0 || RESERVED.has(name)) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95
    if (!letter && (i === 0 || c < 48 || c > 57)) return false
  }
  return true
}

/** Prints an object path: `type:name.'quoted-name'[0][*]`. */
export function printPath(path: ObjectPath): string {
  let out = `${path.objectType}:`
  let first = true
  for (const step of path.steps) {
    switch (step.kind) {
      case 'property':
        if (!first) out += '.'
        out += isPlainName(step.name) ? step.name : quoteString(step.name)
        break
      case 'index':
        out += `[${step.index}]`
        break
      case 'any-index':
        out += '[*]'
        break
    }
    first = false
  }
  return out
}

function quoteString(value: string): string {
  let out = "'"
  let chunk = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 39 || c === 92) {
      out += value.slice(chunk, i) + (c === 39 ? "\\'" : '\\\\')
      chunk = i + 1
    }
  }
  return out + value.slice(chunk) + "'"
}

/** Prints a constant in canonical form. */
export function printConstant(value: Constant): string {
  switch (value.kind) {
    case 'string':
      return quoteString(value.value)
    case 'int':
      return formatNumber(value.value, false)
    case 'float':
      return formatNumber(value.value, true)
    case 'bool':
      return value.value ? 'true' : 'false'
    case 'binary':
      return `b'${encodeBase64(value.value)}'`
    case 'hex':
      return `h'${encodeHex(value.value)}'`
    case 'timestamp':
      return `t'${value.text}'`
    case 'list':
      return `(${value.items.map(printConstant).join(', ')})`
  }
}

/**
 * Plain decimal notation (the pattern grammar has no exponents); floats always carry a
 * fraction so that they read back as floats.
 */
function formatNumber(value: number, asFloat: boolean): string {
  let text = String(value === 0 ? 0 : value)
  const e = text.indexOf('e')
  if (e >= 0) {
    const negative = text.startsWith('-')
    const mantissa = text.slice(negative ? 1 : 0, e)
    const exponent = Number(text.slice(e + 1))
    const dot = mantissa.indexOf('.')
    const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1)
    const point = (dot < 0 ? mantissa.length : dot) + exponent
    let plain: string
    if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`
    else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length)
    else plain = `${digits.slice(0, point)}.${digits.slice(point)}`
    text = (negative ? '-' : '') + plain
  }
  if (asFloat && !text.includes('.')) text += '.0'
  return text
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function encodeBase64(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0
    const b1 = bytes[i + 1] ?? 0
    const b2 = bytes[i + 2] ?? 0
    const n = (b0 << 16) | (b1 << 8) | b2
    out += BASE64_ALPHABET[(n >> 18) & 63] ?? ''
    out += BASE64_ALPHABET[(n >> 12) & 63] ?? ''
    out += i + 1 < bytes.length ? (BASE64_ALPHABET[(n >> 6) & 63] ?? '') : '='
    out += i + 2 < bytes.length ? (BASE64_ALPHABET[n & 63] ?? '') : '='
  }
  return out
}

function encodeHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16)
  return out
}
