/**
 * Parser for the PCRE-style regular expressions of `MATCHES` (STIX 2.1 section 9.6.1) into a
 * small tree that {@link compileProgram} turns into an NFA. Only the features that a
 * linear-time automaton can run are accepted; backreferences, lookaround, atomic groups,
 * possessive quantifiers and recursion are rejected with a `PATTERN_REGEX` error that names
 * the position.
 * @internal
 */
import { AppError } from '../../errors.js'

/** Tests one code point. */
export type CharTest = (cp: number) => boolean

/** The parsed expression: single code points, sequences, alternatives, repeats, assertions. */
export type RegexNode =
  /** One code point; `lit` is set when exactly one code point matches (a literal). */
  | { readonly t: 'char'; readonly test: CharTest; readonly lit?: number }
  | { readonly t: 'seq'; readonly items: readonly RegexNode[] }
  | { readonly t: 'alt'; readonly alts: readonly RegexNode[] }
  | { readonly t: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number }
  | { readonly t: 'assert'; readonly kind: AssertKind }

/** Zero-width assertions. */
export type AssertKind =
  | 'start' // \A, or ^ without multiline
  | 'line-start' // ^ with (?m)
  | 'end' // \z
  | 'end-or-newline' // \Z, or $ without multiline: end, or before a final newline
  | 'line-end' // $ with (?m)
  | 'word-boundary'
  | 'not-word-boundary'

interface Flags {
  readonly i: boolean
  readonly m: boolean
  readonly s: boolean
}

/** The largest `{n,m}` bound accepted (PCRE's own limit is 65535). */
const MAX_REPEAT = 1000

/** A `PATTERN_REGEX` error naming the position (in code points) in the expression. */
export function regexError(source: string, position: number, message: string): AppError {
  return new AppError('PATTERN_REGEX', {
    detail: `${message} at position ${position} of /${source}/`,
    details: { position, regex: source },
  })
}

const isDigit = (cp: number): boolean => cp >= 0x30 && cp <= 0x39
const isWord = (cp: number): boolean =>
  (cp >= 0x30 && cp <= 0x39) ||
  (cp >= 0x41 && cp <= 0x5a) ||
  (cp >= 0x61 && cp <= 0x7a) ||
  cp === 0x5f
/** PCRE's \s: space, \t \n \v \f \r. */
const isSpace = (cp: number): boolean => cp === 0x20 || (cp >= 0x09 && cp <= 0x0d)
const isHSpace = (cp: number): boolean =>
  cp === 0x09 ||
  cp === 0x20 ||
  cp === 0xa0 ||
  cp === 0x1680 ||
  cp === 0x180e ||
  (cp >= 0x2000 && cp <= 0x200a) ||
  cp === 0x202f ||
  cp === 0x205f ||
  cp === 0x3000
const isVSpace = (cp: number): boolean =>
  (cp >= 0x0a && cp <= 0x0d) || cp === 0x85 || cp === 0x2028 || cp === 0x2029

/** PCRE's `\\w` without Unicode: ASCII letters, digits and `_`. */
export { isWord as isWordCodePoint }

const POSIX_CLASSES: Record<string, CharTest> = {
  alpha: (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a),
  digit: isDigit,
  alnum: (c) => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  space: isSpace,
  blank: (c) => c === 0x20 || c === 0x09,
  punct: (c) =>
    (c >= 0x21 && c <= 0x2f) ||
    (c >= 0x3a && c <= 0x40) ||
    (c >= 0x5b && c <= 0x60) ||
    (c >= 0x7b && c <= 0x7e),
  xdigit: (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
  word: isWord,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  print: (c) => c >= 0x20 && c <= 0x7e,
  graph: (c) => c > 0x20 && c <= 0x7e,
  ascii: (c) => c < 0x80,
}

function foldCase(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp
  const lower = String.fromCodePoint(cp).toLowerCase()
  return lower.length === 1 || lower.codePointAt(0)! > 0xffff ? lower.codePointAt(0)! : cp
}

function caseless(test: CharTest): CharTest {
  return (cp) => {
    if (test(cp)) return true
    const lower = foldCase(cp)
    if (lower !== cp && test(lower)) return true
    const upperText = String.fromCodePoint(cp).toUpperCase()
    const upper = upperText.codePointAt(0)!
    return upperText.length <= 2 && upper !== cp && test(upper)
  }
}

const negate =
  (test: CharTest): CharTest =>
  (cp) =>
    !test(cp)

class RegexParser {
  private pos = 0
  private readonly cps: number[]

  constructor(private readonly source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0)!)
  }

  parse(): RegexNode {
    const node = this.parseAlternation({ i: false, m: false, s: true })
    if (this.pos < this.cps.length) throw this.error(this.pos, "unmatched ')'")
    return node
  }

  private error(position: number, message: string): AppError {
    return regexError(this.source, position, message)
  }

  private peek(offset = 0): number | undefined {
    return this.cps[this.pos + offset]
  }

  private peekChar(offset = 0): string {
    const cp = this.peek(offset)
    return cp === undefined ? '' : String.fromCodePoint(cp)
  }

  private takeChar(): string {
    const ch = this.peekChar()
    this.pos++
    return ch
  }

  private parseAlternation(flags: Flags): RegexNode {
    const alts: RegexNode[] = []
    let current = flags
    for (;;) {
      const { node, flags: after } = this.parseSequence(current)
      alts.push(node)
      // An inline flag group such as (?i) lasts to the end of the enclosing group.
      current = after
      if (this.peekChar() !== '|') break
      this.pos++
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts }
  }

  private parseSequence(flags: Flags): { node: RegexNode; flags: Flags } {
    const items: RegexNode[] = []
    let current = flags
    while (this.pos < this.cps.length) {
      const ch = this.peekChar()
      if (ch === '|' || ch === ')') break
      const atom = this.parseAtom(current)
      if ('flags' in atom) {
        current = atom.flags
        continue
      }
      items.push(this.parseQuantifier(atom.node))
    }
    return { node: items.length === 1 ? items[0]! : { t: 'seq', items }, flags: current }
  }

  private parseQuantifier(node: RegexNode): RegexNode {
    const ch = this.peekChar()
    const qStart = this.pos
    let min: number
    let max: number
    if (ch === '*' || ch === '+' || ch === '?') {
      min = ch === '+' ? 1 : 0
      max = ch === '?' ? 1 : Infinity
      this.pos++
    } else if (ch === '{') {
      const bounds = this.tryBraces()
      if (!bounds) return node
      ;[min, max] = bounds
    } else {
      return node
    }
    if (node.t === 'assert') throw this.error(qStart, 'quantifier after an assertion')
    const next = this.peekChar()
    if (next === '+') throw this.error(this.pos, 'possessive quantifiers are not supported')
    // Lazy and greedy repetition accept the same strings, and MATCHES only asks whether one exists.
    if (next === '?') this.pos++
    if (min > max) throw this.error(qStart, 'repeat bounds out of order')
    const after = this.peekChar()
    if (after === '*' || after === '+' || after === '?')
      throw this.error(this.pos, `nothing to repeat before '${after}'`)
    return { t: 'repeat', node, min, max }
  }

  /** `{n}`, `{n,}`, `{n,m}`; anything else is a literal `{`, as in PCRE. */
  private tryBraces(): [number, number] | undefined {
    const rest = this.source.slice(this.offsetOf(this.pos))
    const m = /^\{(\d+)(,(\d*))?\}/.exec(rest)
    if (!m) return undefined
    const min = Number(m[1])
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT))
      throw this.error(this.pos, `repeat count above ${MAX_REPEAT}`)
    this.pos += Array.from(m[0]).length
    return [min, max]
  }

  private offsetOf(cpIndex: number): number {
    let offset = 0
    for (let i = 0; i < cpIndex; i++) offset += (this.cps[i] ?? 0) > 0xffff ? 2 : 1
    return offset
  }

  private literal(cp: number, flags: Flags): RegexNode {
    if (flags.i) {
      const folded = foldCase(cp)
      return { t: 'char', test: (c) => c === cp || foldCase(c) === folded }
    }
    return { t: 'char', test: (c) => c === cp, lit: cp }
  }

  private parseAtom(flags: Flags): { node: RegexNode } | { flags: Flags } {
    const start = this.pos
    const cp = this.peek()!
    const ch = String.fromCodePoint(cp)
    this.pos++
    switch (ch) {
      case '(':
        return this.parseGroup(start, flags)
      case '[':
        return { node: { t: 'char', test: this.parseClass(start, flags) } }
      case '.':
        return { node: { t: 'char', test: flags.s ? () => true : (c) => c !== 0x0a } }
      case '^':
        return { node: { t: 'assert', kind: flags.m ? 'line-start' : 'start' } }
      case '$':
        return { node: { t: 'assert', kind: flags.m ? 'line-end' : 'end-or-newline' } }
      case '\\':
        return { node: this.parseEscape(start, flags) }
      case '*':
      case '+':
      case '?':
        throw this.error(start, `nothing to repeat before '${ch}'`)
      case '{':
        if (this.tryBracesAt(start)) throw this.error(start, `nothing to repeat before '{'`)
        return { node: this.literal(cp, flags) }
      default:
        return { node: this.literal(cp, flags) }
    }
  }

  private tryBracesAt(index: number): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.source.slice(this.offsetOf(index)))
  }

  private parseGroup(start: number, flags: Flags): { node: RegexNode } | { flags: Flags } {
    let inner = flags
    if (this.peekChar() === '?') {
      this.pos++
      const c = this.peekChar()
      if (c === ':') {
        this.pos++
      } else if (c === '=' || c === '!') {
        throw this.error(start, 'lookahead assertions are not supported')
      } else if (c === '<' && (this.peekChar(1) === '=' || this.peekChar(1) === '!')) {
        throw this.error(start, 'lookbehind assertions are not supported')
      } else if (c === '>') {
        throw this.error(start, 'atomic groups are not supported')
      } else if (c === '#') {
        while (this.pos < this.cps.length && this.peekChar() !== ')') this.pos++
        if (this.peekChar() !== ')') throw this.error(start, "missing ')' to close the comment")
        this.pos++
        return { flags }
      } else if (c === '<' || c === "'" || (c === 'P' && this.peekChar(1) === '<')) {
        if (c === 'P') this.pos++
        const close = c === "'" ? "'" : '>'
        this.pos++
        const nameStart = this.pos
        while (this.pos < this.cps.length && isWord(this.peek()!)) this.pos++
        if (this.pos === nameStart || this.peekChar() !== close)
          throw this.error(start, 'malformed group name')
        this.pos++
      } else if (c === 'P' && (this.peekChar(1) === '=' || this.peekChar(1) === '>')) {
        throw this.error(start, 'backreferences and subroutine calls are not supported')
      } else if (
        c === 'R' ||
        c === '&' ||
        c === '+' ||
        (c !== '' && /[0-9-]/.test(c) && !this.isFlagGroup())
      ) {
        throw this.error(start, 'recursion and subroutine calls are not supported')
      } else if (c === '|') {
        throw this.error(start, 'branch reset groups are not supported')
      } else {
        const parsed = this.parseFlags(start, flags)
        if (parsed.standalone) return { flags: parsed.flags }
        inner = parsed.flags
      }
    }
    const node = this.parseAlternation(inner)
    if (this.peekChar() !== ')') throw this.error(start, "missing ')' to close the group")
    this.pos++
    return { node }
  }

  private isFlagGroup(): boolean {
    return /^[imsx-]*[:)]/.test(this.source.slice(this.offsetOf(this.pos)))
  }

  /** `(?ims-ims)` or `(?ims-ims:` ... */
  private parseFlags(start: number, flags: Flags): { flags: Flags; standalone: boolean } {
    let on = true
    let { i, m, s } = flags
    for (;;) {
      const c = this.peekChar()
      this.pos++
      if (c === ')') return { flags: { i, m, s }, standalone: true }
      if (c === ':') return { flags: { i, m, s }, standalone: false }
      if (c === '-' && on) on = false
      else if (c === 'i') i = on
      else if (c === 'm') m = on
      else if (c === 's') s = on
      else if (c === '') throw this.error(start, "missing ')' to close the group")
      else throw this.error(this.pos - 1, `unsupported group or flag '(?${c}'`)
    }
  }

  private parseHex(start: number, digits: number): number {
    let text = ''
    if (this.peekChar() === '{') {
      this.pos++
      while (this.pos < this.cps.length && this.peekChar() !== '}') text += this.takeChar()
      if (this.peekChar() !== '}') throw this.error(start, "missing '}' in \\x{...}")
      this.pos++
      if (!/^[0-9a-fA-F]{1,6}$/.test(text)) throw this.error(start, 'bad hexadecimal escape')
    } else {
      while (text.length < digits && /[0-9a-fA-F]/.test(this.peekChar())) text += this.takeChar()
      if (digits === 4 && text.length !== 4) throw this.error(start, 'bad \\u escape')
      if (text === '') return 0
    }
    const value = parseInt(text, 16)
    if (value > 0x10ffff) throw this.error(start, 'code point out of range')
    return value
  }

  /** A single code point escape, or a class test; `inClass` changes `\b` to backspace. */
  private parseEscapeChar(
    start: number,
    flags: Flags,
    inClass: boolean,
  ): number | CharTest | 'assert' {
    const c = this.peekChar()
    if (c === '') throw this.error(start, 'trailing backslash')
    this.pos++
    switch (c) {
      case 'd':
        return isDigit
      case 'D':
        return negate(isDigit)
      case 'w':
        return isWord
      case 'W':
        return negate(isWord)
      case 's':
        return isSpace
      case 'S':
        return negate(isSpace)
      case 'h':
        return isHSpace
      case 'H':
        return negate(isHSpace)
      case 'v':
        return isVSpace
      case 'V':
        return negate(isVSpace)
      case 'n':
        return 0x0a
      case 'r':
        return 0x0d
      case 't':
        return 0x09
      case 'f':
        return 0x0c
      case 'e':
        return 0x1b
      case 'a':
        return 0x07
      case 'x':
        return this.parseHex(start, 2)
      case 'u':
        return this.parseHex(start, 4)
      case 'c': {
        const x = this.peek()
        if (x === undefined || x > 0x7f) throw this.error(start, 'bad \\c escape')
        this.pos++
        return (String.fromCodePoint(x).toUpperCase().codePointAt(0)! ^ 0x40) & 0x7f
      }
      case '0': {
        let text = ''
        while (text.length < 2 && /[0-7]/.test(this.peekChar())) text += this.takeChar()
        return text === '' ? 0 : parseInt(text, 8)
      }
      case 'p':
      case 'P':
        return this.parseProperty(start, c === 'P', flags)
      case 'b':
        if (inClass) return 0x08
        return 'assert'
      default:
        if (/[1-9]/.test(c)) throw this.error(start, 'backreferences are not supported')
        if (c === 'g' || c === 'k') throw this.error(start, 'backreferences are not supported')
        if (/[A-Za-z]/.test(c) && !inClass) throw this.error(start, `unsupported escape '\\${c}'`)
        if (/[A-Za-z]/.test(c)) throw this.error(start, `unsupported escape '\\${c}' in a class`)
        return this.cps[this.pos - 1]!
    }
  }

  private parseProperty(start: number, negated: boolean, flags: Flags): CharTest {
    let name: string
    if (this.peekChar() === '{') {
      const close = this.source.indexOf('}', this.offsetOf(this.pos))
      if (close < 0) throw this.error(start, "missing '}' in \\p{...}")
      name = this.source.slice(this.offsetOf(this.pos) + 1, close)
      this.pos += Array.from(name).length + 2
    } else {
      name = this.peekChar()
      this.pos++
    }
    let neg = negated
    if (name.startsWith('^')) {
      neg = !neg
      name = name.slice(1)
    }
    let re: RegExp
    try {
      // A one-code-point test with a JavaScript class cannot backtrack; it only names the set.
      re = new RegExp(`^\\p{${name.replace('&', '')}}$`, flags.i ? 'ui' : 'u')
    } catch (cause) {
      throw new AppError('PATTERN_REGEX', {
        detail: `unknown Unicode property '${name}' at position ${start} of /${this.source}/`,
        details: { position: start, regex: this.source },
        cause,
      })
    }
    const test: CharTest = (cp) => re.test(String.fromCodePoint(cp))
    return neg ? negate(test) : test
  }

  private parseEscape(start: number, flags: Flags): RegexNode {
    const c = this.peekChar()
    switch (c) {
      case 'b':
        this.pos++
        return { t: 'assert', kind: 'word-boundary' }
      case 'B':
        this.pos++
        return { t: 'assert', kind: 'not-word-boundary' }
      case 'A':
        this.pos++
        return { t: 'assert', kind: 'start' }
      case 'z':
        this.pos++
        return { t: 'assert', kind: 'end' }
      case 'Z':
        this.pos++
        return { t: 'assert', kind: 'end-or-newline' }
      case 'G':
      case 'K':
      case 'X':
      case 'C':
        throw this.error(start, `unsupported escape '\\${c}'`)
      case 'R': {
        this.pos++
        const crlf: RegexNode = {
          t: 'seq',
          items: [this.literal(0x0d, flags), this.literal(0x0a, flags)],
        }
        return { t: 'alt', alts: [crlf, { t: 'char', test: isVSpace }] }
      }
      case 'Q': {
        this.pos++
        const items: RegexNode[] = []
        while (
          this.pos < this.cps.length &&
          !(this.peekChar() === '\\' && this.peekChar(1) === 'E')
        ) {
          items.push(this.literal(this.peek()!, flags))
          this.pos++
        }
        if (this.pos < this.cps.length) this.pos += 2
        return { t: 'seq', items }
      }
      default: {
        const e = this.parseEscapeChar(start, flags, false)
        if (e === 'assert') return { t: 'assert', kind: 'word-boundary' }
        if (typeof e === 'number') return this.literal(e, flags)
        return { t: 'char', test: e }
      }
    }
  }

  private parseClass(start: number, flags: Flags): CharTest {
    let negated = false
    if (this.peekChar() === '^') {
      negated = true
      this.pos++
    }
    const tests: CharTest[] = []
    const ranges: number[] = []
    let first = true
    for (;;) {
      if (this.pos >= this.cps.length) throw this.error(start, "missing ']' to close the class")
      const c = this.peekChar()
      if (c === ']' && !first) {
        this.pos++
        break
      }
      first = false
      if (c === '[' && this.peekChar(1) === ':') {
        const rest = this.source.slice(this.offsetOf(this.pos))
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest)
        if (m) {
          const posix = POSIX_CLASSES[m[2] ?? '']
          if (!posix) throw this.error(this.pos, `unknown POSIX class '${m[2]}'`)
          tests.push(m[1] ? negate(posix) : posix)
          this.pos += m[0].length
          continue
        }
      }
      const lo = this.classAtom(start, flags)
      if (typeof lo !== 'number') {
        tests.push(lo)
        continue
      }
      if (this.peekChar() === '-' && this.peekChar(1) !== ']' && this.peek(1) !== undefined) {
        const dash = this.pos
        this.pos++
        const hi = this.classAtom(start, flags)
        if (typeof hi !== 'number') throw this.error(dash, 'invalid range in a character class')
        if (hi < lo) throw this.error(dash, 'range out of order in a character class')
        ranges.push(lo, hi)
      } else {
        ranges.push(lo, lo)
      }
    }
    const inRanges: CharTest = (cp) => {
      for (let i = 0; i < ranges.length; i += 2)
        if (cp >= ranges[i]! && cp <= ranges[i + 1]!) return true
      for (const t of tests) if (t(cp)) return true
      return false
    }
    const test = flags.i ? caseless(inRanges) : inRanges
    return negated ? negate(test) : test
  }

  private classAtom(start: number, flags: Flags): number | CharTest {
    const cp = this.peek()!
    this.pos++
    if (cp !== 0x5c) return cp
    if (this.peekChar() === 'Q' || this.peekChar() === 'E')
      throw this.error(this.pos - 1, '\\Q...\\E inside a class is not supported')
    const e = this.parseEscapeChar(start, flags, true)
    if (e === 'assert') return 0x08
    return e
  }
}

/** Parses `source` (PCRE syntax, DOTALL on as STIX requires) or throws `PATTERN_REGEX`. */
export function parseRegex(source: string): RegexNode {
  return new RegexParser(source).parse()
}

function literalRun(nodes: readonly RegexNode[]): string {
  let text = ''
  for (const n of nodes) {
    if (n.t !== 'char' || n.lit === undefined) break
    text += String.fromCodePoint(n.lit)
  }
  return text
}

/**
 * Literal text every match must start with (after `^`/`\A`) or end with (before `$`/`\z`),
 * for indexing; empty when there is none. `endsAtNewline` is set for `$`, which also
 * matches before a final newline.
 * @internal
 */
export function regexAffixes(node: RegexNode): {
  prefix: string
  suffix: string
  endsAtNewline: boolean
} {
  const items = node.t === 'seq' ? node.items : [node]
  const first = items[0]
  const prefix = first?.t === 'assert' && first.kind === 'start' ? literalRun(items.slice(1)) : ''
  const last = items.at(-1)
  let suffix = ''
  let endsAtNewline = false
  if (last?.t === 'assert' && (last.kind === 'end' || last.kind === 'end-or-newline')) {
    suffix = [...literalRun([...items.slice(0, -1)].reverse())].reverse().join('')
    endsAtNewline = last.kind === 'end-or-newline'
  }
  return { prefix, suffix, endsAtNewline }
}
