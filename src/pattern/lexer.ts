/**
 * The hand-written lexer for STIX patterns (STIX 2.1 section 9). It scans on demand, one
 * token per {@link Lexer.next} call, by char code (no regular expressions), and keeps the
 * current line so that every token knows its 1-based line and column.
 *
 * Columns count UTF-16 code units from the start of the line.
 */
import type { Position } from './ast.js'

/** Token kinds. Keywords are `ident` tokens; the parser compares their text. */
export type TokenKind =
  | 'eof'
  | 'ident'
  | 'string'
  | 'int'
  | 'float'
  | 'binary'
  | 'hex'
  | 'timestamp'
  | '['
  | ']'
  | '('
  | ')'
  | ':'
  | '.'
  | ','
  | '*'
  | '='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='

/**
 * A syntax error found while scanning or parsing; `parsePattern` turns it into a
 * `PatternIssue` value, it never escapes to callers.
 * @internal
 */
export class PatternSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly position: Position,
    readonly expected: string[] | undefined,
  ) {
    super(detail)
    this.name = 'PatternSyntaxError'
  }
}

/** Text of a position for messages: `column 5` on line 1, else `line 2, column 5`. */
export function describePosition(p: Position): string {
  return p.line === 1 ? `column ${p.column}` : `line ${p.line}, column ${p.column}`
}

const CH_TAB = 9
const CH_LF = 10
const CH_CR = 13
const CH_SPACE = 32
const CH_BANG = 33
const CH_QUOTE = 39
const CH_LPAREN = 40
const CH_RPAREN = 41
const CH_STAR = 42
const CH_PLUS = 43
const CH_COMMA = 44
const CH_MINUS = 45
const CH_DOT = 46
const CH_0 = 48
const CH_9 = 57
const CH_COLON = 58
const CH_LT = 60
const CH_EQ = 61
const CH_GT = 62
const CH_LBRACKET = 91
const CH_BACKSLASH = 92
const CH_RBRACKET = 93
const CH_UNDERSCORE = 95

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === CH_UNDERSCORE
}

/** `isIdentPart` for ASCII, as a table: identifiers are scanned a character at a time. */
const IDENT_PART = (() => {
  const table = new Uint8Array(128)
  for (let c = 0; c < 128; c++) {
    if (isIdentStart(c) || isDigit(c) || c === CH_MINUS) table[c] = 1
  }
  return table
})()

function isIdentPart(c: number): boolean {
  return c < 128 && IDENT_PART[c] === 1
}

/** Unicode White_Space (WSpace=Y) code points; all are in the BMP. */
function isWhitespace(c: number): boolean {
  if (c === CH_SPACE || (c >= CH_TAB && c <= CH_CR)) return true
  if (c < 0x85) return false
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  )
}

const INVISIBLE = /^[\p{C}\p{Z}]$/u

/** A human name for the character at a position, for error messages. */
function describeChar(text: string, offset: number): string {
  const cp = text.codePointAt(offset)
  if (cp === undefined) return 'end of pattern'
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  if (cp < 0x20 || cp === 0x7f) return `control character ${code}`
  const ch = String.fromCodePoint(cp)
  // Invisible characters (a byte-order mark, zero-width spaces) are named by code point.
  return INVISIBLE.test(ch) ? `invisible character ${code}` : `'${ch}'`
}

const BASE64_VALUES = (() => {
  const table = new Int16Array(128).fill(-1)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i
  return table
})()

function hexValue(c: number): number {
  if (c >= CH_0 && c <= CH_9) return c - CH_0
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

const EMPTY_BYTES = new Uint8Array(0)

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

/**
 * Scans a STIX pattern into tokens. After {@link next}, the fields `kind`, `start`, `end`
 * and the value fields of the current token describe it.
 * @internal
 */
export class Lexer {
  /** Kind of the current token. */
  kind: TokenKind = 'eof'
  /** Identifier text, unescaped string, or the base64/hex/timestamp text as written. */
  text = ''
  /** Numeric value of `int`/`float` tokens; epoch microseconds of `timestamp` tokens. */
  num = 0
  /** Decoded bytes of `binary`/`hex` tokens. */
  bytes: Uint8Array = EMPTY_BYTES
  /** True when the current `int`/`float` token was written with a leading `-`. */
  negative = false
  startOffset = 0
  startLine = 1
  startColumn = 1
  endOffset = 0
  endLine = 1
  endColumn = 1

  private pos = 0
  private line = 1
  private lineStart = 0
  private readonly length: number

  constructor(private readonly src: string) {
    this.length = src.length
  }

  // Positions are made on first request and shared by every node that starts or ends here.
  private startPos: Position | undefined
  private endPos: Position | undefined

  /** The start of the current token. */
  startPosition(): Position {
    return (this.startPos ??= {
      offset: this.startOffset,
      line: this.startLine,
      column: this.startColumn,
    })
  }

  /** The end (exclusive) of the current token. */
  endPosition(): Position {
    return (this.endPos ??= { offset: this.endOffset, line: this.endLine, column: this.endColumn })
  }

  /** The position of an arbitrary offset already scanned on the current line. */
  private here(offset: number): Position {
    return { offset, line: this.line, column: offset - this.lineStart + 1 }
  }

  private fail(message: string, offset: number, expected?: string[]): never {
    throw new PatternSyntaxError(message, this.here(offset), expected)
  }

  /** Advances to the next token. */
  next(): void {
    this.startPos = undefined
    this.endPos = undefined
    const src = this.src
    let pos = this.pos
    let c = 0
    while (pos < this.length) {
      c = src.charCodeAt(pos)
      if (!isWhitespace(c)) break
      pos++
      // A CR LF pair counts once; a lone CR or LF ends a line too.
      if (c === CH_LF || (c === CH_CR && src.charCodeAt(pos) !== CH_LF)) {
        this.line++
        this.lineStart = pos
      }
    }
    this.startOffset = pos
    this.startLine = this.line
    this.startColumn = pos - this.lineStart + 1
    if (pos >= this.length) {
      this.pos = pos
      this.kind = 'eof'
      this.finish(pos)
      return
    }
    this.pos = pos + 1
    switch (c) {
      case CH_LBRACKET:
        this.kind = '['
        break
      case CH_RBRACKET:
        this.kind = ']'
        break
      case CH_LPAREN:
        this.kind = '('
        break
      case CH_RPAREN:
        this.kind = ')'
        break
      case CH_COLON:
        this.kind = ':'
        break
      case CH_COMMA:
        this.kind = ','
        break
      case CH_STAR:
        this.kind = '*'
        break
      case CH_EQ:
        this.kind = '='
        break
      case CH_BANG:
        if (src.charCodeAt(pos + 1) !== CH_EQ) {
          this.fail(`unexpected '!' (did you mean '!='?)`, pos, ['!='])
        }
        this.pos = pos + 2
        this.kind = '!='
        break
      case CH_LT:
        if (src.charCodeAt(pos + 1) === CH_EQ) {
          this.pos = pos + 2
          this.kind = '<='
        } else {
          this.kind = '<'
        }
        break
      case CH_GT:
        if (src.charCodeAt(pos + 1) === CH_EQ) {
          this.pos = pos + 2
          this.kind = '>='
        } else {
          this.kind = '>'
        }
        break
      case CH_QUOTE:
        this.scanString(pos)
        this.kind = 'string'
        break
      case CH_DOT:
        if (isDigit(src.charCodeAt(pos + 1))) this.scanNumber(pos)
        else this.kind = '.'
        break
      case CH_MINUS:
      case CH_PLUS:
        this.scanNumber(pos)
        break
      default:
        if (isDigit(c)) this.scanNumber(pos)
        else if (isIdentStart(c)) this.scanIdent(pos)
        else this.fail(`unexpected ${describeChar(src, pos)}`, pos)
    }
    this.finish(this.pos)
  }

  private finish(end: number): void {
    this.endOffset = end
    this.endLine = this.line
    this.endColumn = end - this.lineStart + 1
  }

  private scanIdent(start: number): void {
    const src = this.src
    let pos = start + 1
    while (pos < this.length && isIdentPart(src.charCodeAt(pos))) pos++
    // b'..', h'..', t'..' are constants, not identifiers followed by a string.
    if (pos === start + 1 && src.charCodeAt(pos) === CH_QUOTE) {
      const prefix = src.charCodeAt(start)
      if (prefix === 98 /* b */) return this.scanBinary(start)
      if (prefix === 104 /* h */) return this.scanHex(start)
      if (prefix === 116 /* t */) return this.scanTimestamp(start)
    }
    this.pos = pos
    this.kind = 'ident'
    this.text = src.slice(start, pos)
  }

  // The next backslash, line feed and carriage return at or after the scan position (-1:
  // none left), found once with indexOf and reused by each string up to them.
  private nextBackslash = 0
  private nextLf = 0
  private nextCr = 0

  /** Whether `src[from, to)` holds no backslash and no line break. */
  private isPlainRun(from: number, to: number): boolean {
    const src = this.src
    if (this.nextBackslash >= 0 && this.nextBackslash < from) {
      this.nextBackslash = src.indexOf('\\', from)
    }
    if (this.nextLf >= 0 && this.nextLf < from) this.nextLf = src.indexOf('\n', from)
    if (this.nextCr >= 0 && this.nextCr < from) this.nextCr = src.indexOf('\r', from)
    return (
      (this.nextBackslash < 0 || this.nextBackslash >= to) &&
      (this.nextLf < 0 || this.nextLf >= to) &&
      (this.nextCr < 0 || this.nextCr >= to)
    )
  }

  /** Scans `'...'` starting at the quote; sets `text` to the unescaped value. */
  private scanString(quote: number): void {
    const src = this.src
    // Most strings have no escape and no line break: take them in one slice.
    const close = src.indexOf("'", quote + 1)
    if (close >= 0 && this.isPlainRun(quote + 1, close)) {
      this.text = src.slice(quote + 1, close)
      this.pos = close + 1
      return
    }
    let pos = quote + 1
    let chunkStart = pos
    let value = ''
    for (;;) {
      if (pos >= this.length) {
        this.pos = pos
        this.failAtStart(
          `unterminated string: the string opened at ${describePosition(this.startPosition())} has no closing "'"`,
        )
      }
      const c = src.charCodeAt(pos)
      if (c === CH_QUOTE) break
      if (c === CH_BACKSLASH) {
        const e = src.charCodeAt(pos + 1)
        // A final backslash escapes nothing: the string is simply unterminated.
        if (pos + 1 >= this.length) {
          pos = this.length
          continue
        }
        if (e !== CH_QUOTE && e !== CH_BACKSLASH) {
          this.pos = pos
          this.fail(
            `invalid escape '\\${pos + 1 < this.length ? src[pos + 1] : ''}' in string: only \\' and \\\\ are allowed (STIX 2.1 section 9.2)`,
            pos,
          )
        }
        value += src.slice(chunkStart, pos) + (e === CH_QUOTE ? "'" : '\\')
        pos += 2
        chunkStart = pos
        continue
      }
      pos++
      if (c === CH_LF || (c === CH_CR && src.charCodeAt(pos) !== CH_LF)) {
        this.line++
        this.lineStart = pos
      }
    }
    this.text =
      chunkStart === quote + 1 ? src.slice(chunkStart, pos) : value + src.slice(chunkStart, pos)
    this.pos = pos + 1
  }

  /** Fails at the token start, whose line may differ from the current one. */
  private failAtStart(message: string): never {
    throw new PatternSyntaxError(message, this.startPosition(), undefined)
  }

  /** Scans the raw body of a prefixed constant `x'...'` (no escapes allowed). */
  private scanRawBody(prefixOffset: number, what: string): string {
    const src = this.src
    const open = prefixOffset + 1
    const close = src.indexOf("'", open + 1)
    if (close < 0) {
      this.failAtStart(
        `unterminated ${what} constant: no closing "'" for the quote at ${describePosition(this.here(open))}`,
      )
    }
    const body = src.slice(open + 1, close)
    this.pos = close + 1
    return body
  }

  private scanBinary(start: number): void {
    const body = this.scanRawBody(start, 'binary')
    // Line feeds in the base64 data MUST be ignored (section 9.2).
    let lineBreaks = false
    for (let i = 0; i < body.length; i++) {
      const c = body.charCodeAt(i)
      if (c === CH_LF || c === CH_CR) {
        lineBreaks = true
        if (c === CH_LF || body.charCodeAt(i + 1) !== CH_LF) {
          this.line++
          this.lineStart = start + 2 + i + 1
        }
      }
    }
    const clean = lineBreaks ? body.replace(/[\r\n]/g, '') : body
    const bytes = decodeBase64(clean)
    if (typeof bytes === 'string') {
      this.failAtStart(`invalid binary constant b'${clean}': ${bytes}`)
    }
    this.kind = 'binary'
    this.text = body
    this.bytes = bytes
  }

  private scanHex(start: number): void {
    const body = this.scanRawBody(start, 'hex')
    if (body.length % 2 !== 0) {
      this.failAtStart(
        `invalid hex constant h'${body}': it must have an even number of hex digits (STIX 2.1 section 9.2)`,
      )
    }
    const bytes = new Uint8Array(body.length / 2)
    for (let i = 0; i < body.length; i += 2) {
      const hi = hexValue(body.charCodeAt(i))
      const lo = hexValue(body.charCodeAt(i + 1))
      if (hi < 0 || lo < 0) {
        const bad = hi < 0 ? i : i + 1
        this.failAtStart(
          `invalid hex constant h'${body}': ${describeChar(body, bad)} at position ${bad + 1} is not a hex digit`,
        )
      }
      bytes[i / 2] = (hi << 4) | lo
    }
    this.kind = 'hex'
    this.text = body
    this.bytes = bytes
  }

  private scanTimestamp(start: number): void {
    const body = this.scanRawBody(start, 'timestamp')
    const micros = parseTimestamp(body)
    if (typeof micros === 'string') {
      this.failAtStart(`invalid timestamp t'${body}': ${micros}`)
    }
    this.kind = 'timestamp'
    this.text = body
    this.num = micros
  }

  private scanNumber(start: number): void {
    const src = this.src
    let pos = start
    const sign = src.charCodeAt(pos)
    if (sign === CH_PLUS) {
      this.fail(
        `unexpected '+': positive numbers are written without a plus sign (STIX 2.1 section 9.2)`,
        start,
      )
    }
    this.negative = sign === CH_MINUS
    if (this.negative) pos++
    const intStart = pos
    while (pos < this.length && isDigit(src.charCodeAt(pos))) pos++
    const intDigits = pos - intStart
    let isFloat = false
    if (src.charCodeAt(pos) === CH_DOT) {
      const fracStart = pos + 1
      let p = fracStart
      while (p < this.length && isDigit(src.charCodeAt(p))) p++
      if (p === fracStart) {
        this.pos = p
        this.fail(
          `invalid number '${src.slice(start, p)}': expected digits after the decimal point`,
          start,
        )
      }
      isFloat = true
      pos = p
    } else if (intDigits === 0) {
      this.pos = pos
      this.fail(`unexpected '-': expected a digit after '-'`, start)
    }
    if (pos < this.length) {
      const after = src.charCodeAt(pos)
      if (isIdentPart(after) || after === CH_DOT) {
        let end = pos
        while (end < this.length) {
          const c = src.charCodeAt(end)
          if (!isIdentPart(c) && c !== CH_DOT) break
          end++
        }
        this.pos = end
        this.fail(`invalid number '${src.slice(start, end)}'`, start)
      }
    }
    if (intDigits > 1 && src.charCodeAt(intStart) === CH_0) {
      this.pos = pos
      this.fail(`invalid number '${src.slice(start, pos)}': leading zeros are not allowed`, start)
    }
    const text = src.slice(start, pos)
    const value = Number(text)
    this.pos = pos
    if (isFloat) {
      if (!Number.isFinite(value)) this.fail(`float '${text}' is out of range`, start)
      this.kind = 'float'
    } else {
      // STIX integers span -(2^53)+1 .. 2^53-1 (section 2.7).
      if (!Number.isSafeInteger(value)) {
        this.fail(
          `integer '${text}' is out of range: it must lie within -(2^53)+1 and 2^53-1 (STIX 2.1 section 2.7)`,
          start,
        )
      }
      this.kind = 'int'
    }
    this.num = value === 0 ? 0 : value
    this.text = text
  }
}

/**
 * Decodes RFC 4648 base64 (padding required, no whitespace); returns the bytes or a reason.
 * @internal
 */
export function decodeBase64(text: string): Uint8Array | string {
  if (text.length % 4 !== 0) return 'base64 length must be a multiple of 4'
  let pad = 0
  if (text.length > 0 && text.charCodeAt(text.length - 1) === CH_EQ) pad++
  if (text.length > 1 && text.charCodeAt(text.length - 2) === CH_EQ) pad++
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    let n = 0
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j)
      let v: number
      if (c === CH_EQ && i + 4 === text.length && j >= 4 - pad) v = 0
      else {
        v = c < 128 ? (BASE64_VALUES[c] ?? -1) : -1
        if (v < 0) {
          return `${describeChar(text, i + j)} at position ${i + j + 1} is not a base64 character`
        }
      }
      n = (n << 6) | v
    }
    out[o++] = (n >> 16) & 0xff
    if (o < out.length) out[o++] = (n >> 8) & 0xff
    if (o < out.length) out[o++] = n & 0xff
  }
  return out
}

function digits(text: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i)
    if (!isDigit(c)) return -1
    n = n * 10 + (c - CH_0)
  }
  return n
}

/**
 * Parses a STIX timestamp `YYYY-MM-DDTHH:MM:SS[.s+]Z` (STIX 2.1 section 2.16) into epoch
 * microseconds (sub-microsecond digits are dropped); returns a reason when invalid. Past
 * 2^53 microseconds (the year 2255) the number is the nearest double, not exact.
 * @internal
 */
export function parseTimestamp(text: string): number | string {
  const shape = 'expected the form YYYY-MM-DDTHH:MM:SS[.fraction]Z (STIX 2.1 section 2.16)'
  if (text.length < 20) return shape
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  const hour = digits(text, 11, 2)
  const minute = digits(text, 14, 2)
  const second = digits(text, 17, 2)
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return shape
  }
  let pos = 19
  let micros = 0
  if (text[pos] === '.') {
    pos++
    const fracStart = pos
    while (pos < text.length && isDigit(text.charCodeAt(pos))) {
      if (pos - fracStart < 6) micros = micros * 10 + (text.charCodeAt(pos) - CH_0)
      pos++
    }
    if (pos === fracStart) return `${shape}: the fraction needs at least one digit`
    for (let k = Math.min(pos - fracStart, 6); k < 6; k++) micros *= 10
  }
  if (text[pos] !== 'Z' || pos !== text.length - 1) {
    return `${shape}: the time zone must be 'Z' (UTC)`
  }
  if (month < 1 || month > 12) return `month ${month} is out of range`
  const maxDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31)
  if (day < 1 || day > maxDay) return `day ${day} is out of range for month ${month}`
  if (hour > 23) return `hour ${hour} is out of range`
  if (minute > 59) return `minute ${minute} is out of range`
  // RFC 3339 allows a leap second, 23:59:60; it counts as the first instant of the next day.
  if (second > 60 || (second === 60 && (hour !== 23 || minute !== 59))) {
    return `second ${second} is out of range (a leap second is written 23:59:60)`
  }
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime() * 1000 + micros
}
