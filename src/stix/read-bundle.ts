/**
 * Reading STIX content without holding a whole document twice: an incremental JSON scanner
 * that finds each element of a bundle's (or a TAXII envelope's) `objects` array, of a
 * top-level JSON array, or each top-level value of NDJSON, and hands back the element's exact
 * source text. Each element is parsed alone with `JSON.parse`, so memory stays near the size of
 * the largest object, not of the document.
 *
 * The scanner checks the JSON structure around and between elements (brackets, commas, colons,
 * property names) and tracks strings, escapes and nesting inside them; `JSON.parse` checks the
 * rest of each element. Two explicit limits apply, see {@link ReadLimits}.
 */
import { AppError } from '../errors.js'

/** Limits the reader enforces; exceeding one is an `AppError` naming the limit and place. */
export interface ReadLimits {
  /**
   * Deepest nesting of arrays and objects, counted from the document root as JSON nests (a
   * bundle is depth 1, its `objects` array 2, each object 3). Default {@link DEFAULT_MAX_DEPTH}.
   */
  maxDepth?: number
  /**
   * Largest single element (object), and largest bundle or envelope header without its
   * `objects`, in characters of JSON text (one per byte for ASCII). Default
   * {@link DEFAULT_MAX_OBJECT_SIZE}.
   */
  maxObjectSize?: number
}

/** Default {@link ReadLimits.maxDepth}: far deeper than any STIX object needs. */
export const DEFAULT_MAX_DEPTH = 64
/** Default {@link ReadLimits.maxObjectSize}: 64 Mi characters (large `artifact` payloads fit). */
export const DEFAULT_MAX_OBJECT_SIZE = 64 * 1024 * 1024

/** A place in the input: byte offset (0-based), line and column (1-based, in characters). */
export interface SourceLocation {
  offset: number
  line: number
  column: number
}

/** One element read from the input. */
export interface ReadEntry {
  /** Position of the element in the input, counting from 0 over the whole input. */
  index: number
  /** The element parsed; usually a STIX object, but any JSON value found there. */
  object: unknown
  /** The element's exact source text, as received. */
  raw: string
  /** Where the element starts. */
  location: SourceLocation
  /**
   * True when the element is a whole top-level value (a single object, an NDJSON line), false
   * when it is an element of an array or of a bundle's `objects`. A top-level object of type
   * `bundle` here is a bundle without `objects`.
   */
  topLevel: boolean
}

/** What shape the input had, known once it has been read to the end. */
export type InputShape = 'bundle' | 'envelope' | 'object' | 'array' | 'ndjson'

/** Summary returned by {@link readBundle} when it finishes. */
export interface ReadSummary {
  shape: InputShape
  count: number
  /**
   * Top-level properties of a bundle or envelope other than `objects` (e.g. `type`, `id`,
   * `more`), parsed. Empty for other shapes. With NDJSON of bundles, those of the last one.
   */
  members: Record<string, unknown>
}

/** One element found by {@link splitObjectsArray}. */
export interface SplitElement {
  index: number
  /** The exact source text of the element. */
  raw: string
  /** `JSON.parse(raw)`. */
  value: unknown
  location: SourceLocation
}

/** Result of {@link splitObjectsArray}. */
export interface SplitResult {
  /** Every top-level property except `objects`, parsed. */
  members: Record<string, unknown>
  /** Whether the document had an `objects` property at all. */
  hasObjects: boolean
  objects: SplitElement[]
}

// Character codes the scanner dispatches on.
const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a
const LBRACE = 0x7b
const RBRACE = 0x7d
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const SPACE = 0x20
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const BOM = 0xfeff
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/

// Scanner states.
const S_DOC = 0 // expecting a top-level value, or the end
const S_OBJ_KEY_OR_END = 1 // after `{` of the top-level object
const S_OBJ_KEY = 2 // after `,` in the top-level object
const S_OBJ_KEY_STRING = 3 // inside a property name of the top-level object
const S_OBJ_COLON = 4
const S_OBJ_VALUE = 5 // expecting a member value of the top-level object
const S_OBJ_AFTER_VALUE = 6
const S_ARR_ELEM_OR_END = 7 // after `[` of a top-level array or of `objects`
const S_ARR_ELEM = 8 // after `,` in such an array
const S_ARR_AFTER_ELEM = 9
const S_VALUE = 10 // inside a value being skipped or captured

const VALUE_COMPOSITE = 0
const VALUE_STRING = 1
const VALUE_PRIMITIVE = 2

/** Where a value being scanned belongs. */
const DEST_ELEMENT = 0 // an element to hand out
const DEST_MEMBER = 1 // a member of the top-level object (kept by the object's buffer)

/** @internal A raw element found by the scanner. */
export interface ScannedValue {
  index: number
  raw: string
  location: SourceLocation
  topLevel: boolean
}

/**
 * @internal The incremental scanner shared by {@link splitObjectsArray} and
 * {@link readBundle}. Feed it text chunks in order; it collects elements in `out`.
 */
export class JsonElementScanner {
  readonly out: ScannedValue[] = []
  /** Members of each bundle/envelope seen, as parsed headers, in input order. */
  readonly headers: Record<string, unknown>[] = []
  /** Number of top-level values seen, and how many of them were arrays. */
  topLevelValues = 0
  topLevelArrays = 0
  private readonly maxDepth: number
  private readonly maxSize: number

  private state = S_DOC
  private index = 0

  // Current chunk and the cursors that turn a chunk position into a location.
  private buf = ''
  private chunkStart = 0 // absolute character offset of buf[0]
  private chunkStartBytes = 0
  private chunkBytes = -1 // byte length of buf when known, -1 when not
  private ascii = false // buf is all ASCII (bytes == characters)
  private lineCur = 0
  private line = 1
  private lineStart = 0 // absolute character offset where the current line starts
  private byteCur = 0
  private bytesAtCur = 0
  // Cached positions of the next quote/backslash in buf (positions only move forward).
  private nextQuote = -1
  private nextBackslash = -1
  private nextNewline = -1

  // Structure.
  private topIsObject = false
  private inObjects = false // scanning the elements of the top object's `objects`
  private sawObjects = false
  private depth = 0
  private readonly stack: Uint8Array

  // The top-level object's text, kept until it is known whether it is a container.
  private topParts: string[] = []
  private topPartsSize = 0
  private topFrom = -1 // chunk position the current part starts at, -1 when not buffering
  private topHead = '' // a container's text up to its `objects` value
  private topLocation: SourceLocation = { offset: 0, line: 1, column: 1 }

  // The property name being read at depth 1.
  private keyParts: string[] = []
  private keyFrom = 0
  private key = ''

  // The value being scanned.
  private valueKind = VALUE_COMPOSITE
  private valueDest = DEST_ELEMENT
  private valueBaseDepth = 0
  private valueParts: string[] = []
  private valuePartsSize = 0
  private valueFrom = 0
  private valueLocation: SourceLocation = { offset: 0, line: 1, column: 1 }
  private inString = false
  private escapePending = false

  constructor(limits: ReadLimits = {}) {
    this.maxDepth = positiveLimit(limits.maxDepth, DEFAULT_MAX_DEPTH, 'maxDepth')
    this.maxSize = positiveLimit(limits.maxObjectSize, DEFAULT_MAX_OBJECT_SIZE, 'maxObjectSize')
    this.stack = new Uint8Array(this.maxDepth + 2)
  }

  /**
   * Scans the next chunk of text. `byteLength` is the chunk's UTF-8 size when the caller knows
   * it (it decoded the chunk from bytes); otherwise it is computed when needed.
   */
  feed(chunk: string, byteLength = -1): void {
    if (this.buf.length > 0) this.finishChunk()
    this.buf = chunk
    // An all-ASCII chunk has one byte per character, so byte offsets need no counting; a
    // native regular expression finds that out far faster than counting would.
    this.ascii = byteLength === chunk.length || (byteLength < 0 && !NON_ASCII.test(chunk))
    this.chunkBytes = this.ascii ? chunk.length : byteLength
    this.lineCur = 0
    this.byteCur = 0
    this.bytesAtCur = this.chunkStartBytes
    this.nextQuote = -1
    this.nextBackslash = -1
    this.nextNewline = -1
    if (this.topFrom >= 0) this.topFrom = 0
    if (this.state === S_VALUE && this.valueDest === DEST_ELEMENT) this.valueFrom = 0
    if (this.state === S_OBJ_KEY_STRING) this.keyFrom = 0
    this.scan()
    // Keep the unfinished tails of what spans chunks.
    const n = chunk.length
    if (this.topFrom >= 0 && this.topFrom < n) this.pushTop(chunk.slice(this.topFrom))
    if (this.state === S_VALUE && this.valueDest === DEST_ELEMENT && this.valueFrom < n) {
      this.valueParts.push(chunk.slice(this.valueFrom))
      this.valuePartsSize += n - this.valueFrom
      if (this.valuePartsSize > this.maxSize) this.tooLarge(this.valueLocation)
    }
    if (this.state === S_OBJ_KEY_STRING && this.keyFrom < n) {
      this.keyParts.push(chunk.slice(this.keyFrom))
    }
  }

  /** Declares the end of input; throws when the document is incomplete. */
  end(): void {
    if (this.state === S_VALUE && this.valueKind === VALUE_PRIMITIVE && !this.inString) {
      this.fail(this.buf.length, 'unexpected end of input inside an array')
    }
    if (this.state !== S_DOC) {
      this.fail(this.buf.length, `unexpected end of input ${this.describeState()}`)
    }
    if (this.topLevelValues === 0) this.fail(this.buf.length, 'the input is empty')
  }

  private describeState(): string {
    if (this.state === S_VALUE) {
      return this.inString ? 'inside a string' : `inside element ${this.index}`
    }
    if (this.inObjects) return 'inside the objects array'
    return this.topIsObject
      ? `inside the top-level object that starts at line ${this.topLocation.line}`
      : 'inside the top-level array'
  }

  private scan(): void {
    const buf = this.buf
    const n = buf.length
    let i = 0
    while (i < n) {
      switch (this.state) {
        case S_VALUE:
          i = this.scanValue(i)
          break
        case S_DOC: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          const c = buf.charCodeAt(i)
          if (c === BOM && this.chunkStart + i === 0) {
            i++
            break
          }
          if (c === LBRACE) {
            this.topLevelValues++
            this.topIsObject = true
            this.sawObjects = false
            this.depth = 1
            this.stack[1] = LBRACE
            this.topParts = []
            this.topPartsSize = 0
            this.topFrom = i
            this.topLocation = this.locate(i)
            this.state = S_OBJ_KEY_OR_END
          } else if (c === LBRACKET) {
            this.topLevelValues++
            this.topLevelArrays++
            this.topIsObject = false
            this.depth = 1
            this.stack[1] = LBRACKET
            this.state = S_ARR_ELEM_OR_END
          } else {
            this.fail(
              i,
              this.topLevelValues === 0
                ? `expected a JSON object or array (a STIX object, bundle, array of objects or NDJSON), found ${describeChar(buf, i)}`
                : `expected another JSON object (NDJSON) or the end of input, found ${describeChar(buf, i)}`,
            )
          }
          i++
          break
        }
        case S_OBJ_KEY_OR_END:
        case S_OBJ_KEY: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          const c = buf.charCodeAt(i)
          if (c === QUOTE) {
            this.state = S_OBJ_KEY_STRING
            this.keyParts = []
            this.keyFrom = i
            this.inString = true
            this.escapePending = false
            i++
          } else if (c === RBRACE && this.state === S_OBJ_KEY_OR_END) {
            i = this.endTopObject(i)
          } else {
            this.fail(i, `expected a property name in double quotes, found ${describeChar(buf, i)}`)
          }
          break
        }
        case S_OBJ_KEY_STRING: {
          const end = this.findStringEnd(i)
          if (end < 0) {
            i = n
            break
          }
          this.inString = false
          this.keyParts.push(buf.slice(this.keyFrom, end + 1))
          this.key = this.keyParts.length === 1 ? (this.keyParts[0] ?? '') : this.keyParts.join('')
          this.keyParts = []
          this.state = S_OBJ_COLON
          i = end + 1
          break
        }
        case S_OBJ_COLON: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          if (buf.charCodeAt(i) !== COLON) {
            this.fail(
              i,
              `expected ':' after property name ${this.key}, found ${describeChar(buf, i)}`,
            )
          }
          this.state = S_OBJ_VALUE
          i++
          break
        }
        case S_OBJ_VALUE: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          const c = buf.charCodeAt(i)
          if (c === LBRACKET && this.isObjectsKey(i)) {
            if (this.sawObjects) this.fail(i, 'the property "objects" appears twice')
            this.sawObjects = true
            this.inObjects = true
            // The header is kept without the elements: `{...,"objects":` now, the tail later.
            this.pushTop(buf.slice(this.topFrom, i))
            this.topHead = this.topParts.join('')
            this.topParts = []
            this.topPartsSize = this.topHead.length
            this.topFrom = -1
            this.depth = 2
            this.stack[2] = LBRACKET
            this.state = S_ARR_ELEM_OR_END
            i++
          } else if (c === COMMA || c === RBRACE || c === RBRACKET || c === COLON) {
            this.fail(i, `expected a value for ${this.key}, found ${describeChar(buf, i)}`)
          } else {
            i = this.startValue(i, DEST_MEMBER)
          }
          break
        }
        case S_OBJ_AFTER_VALUE: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          const c = buf.charCodeAt(i)
          if (c === COMMA) {
            this.state = S_OBJ_KEY
            i++
          } else if (c === RBRACE) {
            i = this.endTopObject(i)
          } else {
            this.fail(
              i,
              `expected ',' or '}' after the value of ${this.key}, found ${describeChar(buf, i)}`,
            )
          }
          break
        }
        case S_ARR_ELEM_OR_END:
        case S_ARR_ELEM: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          const c = buf.charCodeAt(i)
          if (c === RBRACKET && this.state === S_ARR_ELEM_OR_END) {
            i = this.endArray(i)
          } else if (c === RBRACKET || c === COMMA || c === RBRACE || c === COLON) {
            this.fail(i, `expected an array element, found ${describeChar(buf, i)}`)
          } else {
            i = this.startValue(i, DEST_ELEMENT)
          }
          break
        }
        case S_ARR_AFTER_ELEM: {
          i = skipWhitespace(buf, i)
          if (i >= n) break
          const c = buf.charCodeAt(i)
          if (c === COMMA) {
            this.state = S_ARR_ELEM
            i++
          } else if (c === RBRACKET) {
            i = this.endArray(i)
          } else {
            this.fail(
              i,
              `expected ',' or ']' after element ${this.index - 1}, found ${describeChar(buf, i)}`,
            )
          }
          break
        }
        default:
          throw new Error(`read-bundle: unknown scanner state ${this.state}`)
      }
    }
  }

  /** Whether the property name just read is `objects`; `at` is where its value starts. */
  private isObjectsKey(at: number): boolean {
    if (this.key === '"objects"') return true
    if (!this.key.includes('\\')) return false
    // A name written with escapes still names the same property.
    let name: unknown
    try {
      name = JSON.parse(this.key)
    } catch {
      this.fail(at, `invalid escape in the property name ${this.key}`)
    }
    return name === 'objects'
  }

  private endArray(i: number): number {
    this.depth--
    if (this.inObjects) {
      this.inObjects = false
      this.topFrom = i + 1
      this.topParts = ['[]']
      this.topPartsSize += 2
      this.state = S_OBJ_AFTER_VALUE
    } else {
      this.state = S_DOC
    }
    return i + 1
  }

  private endTopObject(i: number): number {
    this.pushTop(this.buf.slice(this.topFrom, i + 1))
    this.topFrom = -1
    this.depth = 0
    this.state = S_DOC
    if (this.sawObjects) {
      const text = this.topHead + this.topParts.join('')
      this.topHead = ''
      let members: Record<string, unknown>
      try {
        members = JSON.parse(text) as Record<string, unknown>
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new AppError('STIX_INVALID_JSON', {
          detail: `the top-level object starting ${formatLocation(this.topLocation)} (outside "objects"): ${reason}`,
          cause: error,
          details: { ...this.topLocation },
        })
      }
      delete members['objects']
      this.headers.push(members)
    } else {
      const raw = this.topParts.length === 1 ? (this.topParts[0] ?? '') : this.topParts.join('')
      this.out.push({ index: this.index++, raw, location: this.topLocation, topLevel: true })
    }
    this.topParts = []
    this.topPartsSize = 0
    return i + 1
  }

  private pushTop(part: string): void {
    this.topParts.push(part)
    this.topPartsSize += part.length
    if (this.topPartsSize > this.maxSize) this.tooLarge(this.topLocation)
  }

  /** Starts scanning the value at `i` (not whitespace); returns the next position. */
  private startValue(i: number, dest: number): number {
    const c = this.buf.charCodeAt(i)
    this.valueDest = dest
    this.valueBaseDepth = this.depth
    this.valueFrom = i
    this.valueParts = []
    this.valuePartsSize = 0
    if (dest === DEST_ELEMENT) this.valueLocation = this.locate(i)
    this.state = S_VALUE
    if (c === LBRACE || c === LBRACKET) {
      this.valueKind = VALUE_COMPOSITE
      this.push(c, i)
    } else if (c === QUOTE) {
      this.valueKind = VALUE_STRING
      this.inString = true
      this.escapePending = false
    } else {
      this.valueKind = VALUE_PRIMITIVE
    }
    return i + 1
  }

  private push(c: number, i: number): void {
    const depth = ++this.depth
    if (depth > this.maxDepth) {
      const where = this.locate(i)
      throw new AppError('STIX_INPUT_TOO_DEEP', {
        detail: `nesting deeper than ${this.maxDepth} levels ${formatLocation(where)}${this.elementSuffix()}`,
        details: {
          ...where,
          index: this.currentIndex(),
          limit: 'maxDepth',
          maxDepth: this.maxDepth,
        },
      })
    }
    this.stack[depth] = c
  }

  private currentIndex(): number | undefined {
    return this.state === S_VALUE && this.valueDest === DEST_ELEMENT ? this.index : undefined
  }

  private elementSuffix(): string {
    const index = this.currentIndex()
    return index === undefined ? '' : ` (element ${index})`
  }

  /** Scans inside the current value from `i`; returns the next position. */
  private scanValue(start: number): number {
    const buf = this.buf
    const n = buf.length
    let i = start
    if (this.inString) {
      const end = this.findStringEnd(i)
      if (end < 0) return n
      this.inString = false
      i = end + 1
      if (this.valueKind === VALUE_STRING) return this.completeValue(i)
    }
    if (this.valueKind === VALUE_PRIMITIVE) {
      while (i < n) {
        const c = buf.charCodeAt(i)
        if (c === COMMA || c === RBRACKET || c === RBRACE || isWhitespace(c)) {
          return this.completeValue(i)
        }
        i++
      }
      return n
    }
    const stack = this.stack
    const base = this.valueBaseDepth
    while (i < n) {
      const c = buf.charCodeAt(i)
      if (c === QUOTE) {
        this.inString = true
        this.escapePending = false
        const end = this.findStringEnd(i + 1)
        if (end < 0) return n
        this.inString = false
        i = end + 1
        continue
      }
      if (c === LBRACE || c === LBRACKET) {
        this.push(c, i)
      } else if (c === RBRACE || c === RBRACKET) {
        const open = stack[this.depth]
        if ((c === RBRACE) !== (open === LBRACE)) {
          this.fail(
            i,
            `'${String.fromCharCode(c)}' does not close '${String.fromCharCode(open ?? 0)}'${this.elementSuffix()}`,
          )
        }
        if (--this.depth === base) return this.completeValue(i + 1)
      }
      i++
    }
    return n
  }

  /** The value ends just before `end`; records it and moves on. */
  private completeValue(end: number): number {
    if (this.valueDest === DEST_ELEMENT) {
      let raw: string
      if (this.valueParts.length === 0) {
        raw = this.buf.slice(this.valueFrom, end)
        if (raw.length > this.maxSize) this.tooLarge(this.valueLocation)
      } else {
        this.valueParts.push(this.buf.slice(0, end))
        this.valuePartsSize += end
        if (this.valuePartsSize > this.maxSize) this.tooLarge(this.valueLocation)
        raw = this.valueParts.join('')
        this.valueParts = []
      }
      this.out.push({ index: this.index++, raw, location: this.valueLocation, topLevel: false })
      this.state = S_ARR_AFTER_ELEM
    } else {
      this.state = S_OBJ_AFTER_VALUE
    }
    return end
  }

  /**
   * Finds the closing quote of the string being scanned, from `from` in the current chunk.
   * Returns its position, or -1 when the string goes on past the chunk.
   */
  private findStringEnd(from: number): number {
    const buf = this.buf
    const n = buf.length
    let j = from
    if (this.escapePending) {
      this.escapePending = false
      j++
    }
    for (;;) {
      if (j >= n) {
        return -1
      }
      if (this.nextQuote < j) {
        this.nextQuote = buf.indexOf('"', j)
        if (this.nextQuote < 0) this.nextQuote = n
      }
      if (this.nextBackslash < j) {
        this.nextBackslash = buf.indexOf('\\', j)
        if (this.nextBackslash < 0) this.nextBackslash = n
      }
      const q = this.nextQuote
      const b = this.nextBackslash
      if (q < b) return q < n ? q : -1
      if (b >= n) return -1
      // A backslash escapes the next character, whatever it is.
      j = b + 2
      if (j > n) {
        this.escapePending = true
        return -1
      }
    }
  }

  /** Location of chunk position `i`; positions asked for never go backwards within a chunk. */
  locate(i: number): SourceLocation {
    const buf = this.buf
    // The next newline is cached: searching from the cursor each time would rescan a long
    // single-line document for every element.
    if (this.nextNewline < this.lineCur) {
      const nl = buf.indexOf('\n', this.lineCur)
      this.nextNewline = nl < 0 ? buf.length : nl
    }
    while (this.nextNewline < i) {
      this.line++
      this.lineStart = this.chunkStart + this.nextNewline + 1
      const nl = buf.indexOf('\n', this.nextNewline + 1)
      this.nextNewline = nl < 0 ? buf.length : nl
    }
    if (i > this.lineCur) this.lineCur = i
    let offset: number
    if (this.ascii) {
      offset = this.chunkStartBytes + i
    } else {
      if (i > this.byteCur) {
        this.bytesAtCur += utf8Length(buf, this.byteCur, i)
        this.byteCur = i
      }
      offset = this.bytesAtCur
    }
    return { offset, line: this.line, column: this.chunkStart + i - this.lineStart + 1 }
  }

  private finishChunk(): void {
    const n = this.buf.length
    this.locate(n)
    this.chunkStartBytes =
      this.chunkBytes >= 0 ? this.chunkStartBytes + this.chunkBytes : this.bytesAtCur
    this.chunkStart += n
  }

  /** Throws `STIX_INVALID_JSON` at chunk position `i`. */
  fail(i: number, message: string): never {
    const where = this.locate(Math.min(i, this.buf.length))
    throw new AppError('STIX_INVALID_JSON', {
      detail: `${message} ${formatLocation(where)}`,
      details: { ...where, index: this.currentIndex() },
    })
  }

  private tooLarge(where: SourceLocation): never {
    const index = this.currentIndex()
    throw new AppError('STIX_UNUSABLE_INPUT', {
      detail: `${index === undefined ? 'top-level object' : `element ${index}`} starting ${formatLocation(where)} is larger than the limit of ${this.maxSize} characters`,
      details: { ...where, index, limit: 'maxObjectSize', maxObjectSize: this.maxSize },
    })
  }
}

function positiveLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`read-bundle: ${name} must be a positive integer, got ${value}`)
  }
  return value
}

function isWhitespace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB
}

function skipWhitespace(buf: string, from: number): number {
  let i = from
  const n = buf.length
  while (i < n && isWhitespace(buf.charCodeAt(i))) i++
  return i
}

function describeChar(buf: string, i: number): string {
  if (i >= buf.length) return 'the end of input'
  const c = buf.codePointAt(i) ?? 0
  return c >= 0x20 && c < 0x7f
    ? `'${String.fromCodePoint(c)}'`
    : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
}

/** UTF-8 size of `s.slice(from, to)`. */
function utf8Length(s: string, from: number, to: number): number {
  let bytes = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    // A surrogate pair is 4 bytes: count them on the high half, nothing on the low half.
    else if (c >= 0xd800 && c <= 0xdbff) bytes += 4
    else if (c >= 0xdc00 && c <= 0xdfff) bytes += 0
    else bytes += 3
  }
  return bytes
}

/** Renders a location as `at line L, column C (byte O)`. */
export function formatLocation(where: SourceLocation): string {
  return `at line ${where.line}, column ${where.column} (byte ${where.offset})`
}

/** Where inside `raw` (which starts at `start`) character position `pos` is. */
function locateWithin(raw: string, start: SourceLocation, pos: number): SourceLocation {
  let line = start.line
  let lineStartPos = -1
  let nl = raw.indexOf('\n')
  while (nl >= 0 && nl < pos) {
    line++
    lineStartPos = nl
    nl = raw.indexOf('\n', nl + 1)
  }
  return {
    offset: start.offset + utf8Length(raw, 0, pos),
    line,
    column: lineStartPos < 0 ? start.column + pos : pos - lineStartPos,
  }
}

/** `JSON.parse` of one element, with an error naming the element and the place. */
function parseElement(scanned: ScannedValue): unknown {
  try {
    return JSON.parse(scanned.raw)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const match = /at position (\d+)/.exec(reason)
    const where = match
      ? locateWithin(scanned.raw, scanned.location, Number(match[1]))
      : scanned.location
    throw new AppError('STIX_INVALID_JSON', {
      detail: `element ${scanned.index} ${formatLocation(where)}: ${reason}`,
      cause: error,
      details: { ...where, index: scanned.index },
    })
  }
}

/**
 * Splits an in-memory JSON document whose top level is an object with an `objects` array (a
 * STIX bundle, STIX 2.1 section 8, or a TAXII 2.1 envelope, TAXII section 3.7), keys in any
 * order, into its elements, keeping each element's exact source text.
 *
 * @example
 * ```ts
 * const { members, objects } = splitObjectsArray(body)
 * for (const { raw, value } of objects) store(value, raw) // raw is byte-for-byte as received
 * if (members['more'] === true) ...
 * ```
 * @throws AppError `STIX_INVALID_JSON` (location and element index in the message and
 * `details`), `STIX_INPUT_TOO_DEEP`, or `STIX_UNUSABLE_INPUT` when the top level is not an
 * object, `objects` is not an array, or an element exceeds {@link ReadLimits.maxObjectSize}.
 */
export function splitObjectsArray(text: string, limits: ReadLimits = {}): SplitResult {
  const scanner = new JsonElementScanner(limits)
  scanner.feed(text, -1)
  scanner.end()
  const first = scanner.out[0]
  if (scanner.topLevelValues !== 1 || scanner.topLevelArrays !== 0) {
    throw new AppError('STIX_UNUSABLE_INPUT', {
      detail: 'expected a single JSON object with an "objects" array (a bundle or an envelope)',
    })
  }
  const members = scanner.headers[0]
  if (members === undefined) {
    // No `objects` array: the document was captured whole as one value.
    const whole = first ? parseElement(first) : undefined
    const object = whole as Record<string, unknown>
    if ('objects' in object) {
      throw new AppError('STIX_UNUSABLE_INPUT', {
        detail: `"objects" must be an array, found ${describeJsonType(object['objects'])}`,
      })
    }
    return { members: object, hasObjects: false, objects: [] }
  }
  return {
    members,
    hasObjects: true,
    objects: scanner.out.map((s) => ({
      index: s.index,
      raw: s.raw,
      value: parseElement(s),
      location: s.location,
    })),
  }
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** Options of {@link readBundle}. */
export type ReadBundleOptions = ReadLimits

/**
 * Reads STIX objects one at a time from a stream of bytes or text: a bundle (keys in any
 * order), a TAXII envelope, a single object, a JSON array of objects, or NDJSON (one object per
 * line). The caller opens the source (e.g. `fs.createReadStream(path)`); chunks may split
 * UTF-8 sequences anywhere. Memory use is about the largest object plus one chunk.
 *
 * The generator's return value is a {@link ReadSummary} (shape, count, bundle header).
 *
 * @example
 * ```ts
 * for await (const { index, object, raw } of readBundle(createReadStream('big.json'))) { ... }
 * ```
 * @throws AppError `STIX_INVALID_JSON` (not JSON, not UTF-8; message names line, column,
 * byte offset and element index), `STIX_INPUT_TOO_DEEP`, `STIX_UNUSABLE_INPUT` (limits,
 * top-level shape).
 */
export async function* readBundle(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ReadBundleOptions = {},
): AsyncGenerator<ReadEntry, ReadSummary, undefined> {
  const scanner = new JsonElementScanner(options)
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let carry: Uint8Array | undefined
  let bytesSeen = 0
  let count = 0
  let failure: Error | undefined
  const feed = (chunk: Uint8Array | string): void => {
    if (typeof chunk === 'string') {
      if (carry) scanner.fail(0, 'input mixes text chunks with an unfinished UTF-8 sequence')
      scanner.feed(chunk, -1)
      return
    }
    let bytes = chunk
    if (carry) {
      const joined = new Uint8Array(carry.length + chunk.length)
      joined.set(carry)
      joined.set(chunk, carry.length)
      bytes = joined
      carry = undefined
    }
    const cut = completeUtf8Prefix(bytes)
    if (cut < bytes.length) carry = bytes.slice(cut)
    let text: string
    try {
      text = decoder.decode(cut === bytes.length ? bytes : bytes.subarray(0, cut))
    } catch (error) {
      throw new AppError('STIX_INVALID_JSON', {
        detail: `the input is not valid UTF-8 (in bytes ${bytesSeen}..${bytesSeen + cut})`,
        cause: error,
        details: { offset: bytesSeen },
      })
    }
    bytesSeen += cut
    scanner.feed(text, cut)
  }
  const finish = (): void => {
    if (carry) {
      throw new AppError('STIX_INVALID_JSON', {
        detail: `the input ends inside a UTF-8 sequence (byte ${bytesSeen})`,
        details: { offset: bytesSeen },
      })
    }
    scanner.end()
  }
  const iterator = (async function* (): AsyncGenerator<Uint8Array | string | undefined> {
    yield* source
    yield undefined
  })()
  for await (const chunk of iterator) {
    try {
      if (chunk === undefined) finish()
      else feed(chunk)
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error))
    }
    // Hand out what was complete before a failure, then report it.
    for (const scanned of scanner.out) {
      count++
      yield {
        index: scanned.index,
        object: parseElement(scanned),
        raw: scanned.raw,
        location: scanned.location,
        topLevel: scanned.topLevel,
      }
    }
    scanner.out.length = 0
    if (failure !== undefined) throw failure
  }
  const members = scanner.headers.at(-1) ?? {}
  let shape: InputShape
  if (scanner.topLevelValues > 1) shape = 'ndjson'
  else if (scanner.topLevelArrays === 1) shape = 'array'
  else if (scanner.headers.length > 0) shape = 'type' in members ? 'bundle' : 'envelope'
  else shape = 'object'
  if (scanner.topLevelValues === 1 && scanner.headers.length === 1 && 'type' in members) {
    if (members['type'] !== 'bundle') {
      throw new AppError('STIX_UNUSABLE_INPUT', {
        detail: `the top-level object has an "objects" array but its type is ${JSON.stringify(members['type'])}, not "bundle"`,
      })
    }
  }
  return { shape, count, members }
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
function completeUtf8Prefix(bytes: Uint8Array): number {
  const n = bytes.length
  // Look back at most 3 bytes for the lead byte of a sequence that may be cut.
  for (let k = n - 1; k >= 0 && k >= n - 4; k--) {
    const b = bytes[k] ?? 0
    if (b < 0x80) return n
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2
      return k + need > n ? k : n
    }
  }
  return n
}
