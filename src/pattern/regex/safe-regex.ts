/**
 * A linear-time regular expression engine for `MATCHES` (STIX 2.1 section 9.6.1): the
 * pattern is compiled to an NFA and run as a Thompson simulation, so matching costs at most
 * (input length x program size) steps whatever the pattern, and hostile patterns such as
 * `(a+)+$` cannot stall matching. Search semantics (the match may start anywhere), DOTALL on.
 */
import {
  isWordCodePoint,
  parseRegex,
  regexError,
  type AssertKind,
  type CharTest,
  type RegexNode,
} from './regex-syntax.js'

const enum Op {
  Char,
  Split,
  Jmp,
  Assert,
  Match,
}

type Instr =
  | { op: Op.Char; test: CharTest; next: number }
  | { op: Op.Split; x: number; y: number }
  | { op: Op.Jmp; x: number }
  | { op: Op.Assert; kind: AssertKind; next: number }
  | { op: Op.Match }

/** Programs larger than this are refused (a counted repeat of a counted repeat...). */
const MAX_PROGRAM = 100_000

/** A compiled regular expression; `test` is safe on any input. */
export interface SafeRegex {
  readonly source: string
  /** True when some substring of `input` matches. Strings are read as code points. */
  test(input: string): boolean
  /** The same over bytes, each byte read as the code point of equal value. */
  testBytes(input: Uint8Array): boolean
}

class Compiler {
  readonly prog: Instr[] = []

  constructor(private readonly source: string) {}

  private emit(instr: Instr): number {
    if (this.prog.length >= MAX_PROGRAM)
      throw regexError(this.source, 0, `expression too large (over ${MAX_PROGRAM} states)`)
    this.prog.push(instr)
    return this.prog.length - 1
  }

  /** Emits `node`; every dangling `next` is patched to the instruction after it. */
  compile(node: RegexNode): void {
    switch (node.t) {
      case 'char': {
        this.emit({ op: Op.Char, test: node.test, next: this.prog.length + 1 })
        return
      }
      case 'assert': {
        this.emit({ op: Op.Assert, kind: node.kind, next: this.prog.length + 1 })
        return
      }
      case 'seq': {
        for (const item of node.items) this.compile(item)
        return
      }
      case 'alt': {
        const jumps: number[] = []
        node.alts.forEach((alt, i) => {
          if (i < node.alts.length - 1) {
            const split = this.emit({ op: Op.Split, x: this.prog.length + 1, y: -1 })
            this.compile(alt)
            jumps.push(this.emit({ op: Op.Jmp, x: -1 }))
            ;(this.prog[split] as { y: number }).y = this.prog.length
          } else {
            this.compile(alt)
          }
        })
        for (const j of jumps) (this.prog[j] as { x: number }).x = this.prog.length
        return
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) this.compile(node.node)
        if (node.max === Infinity) {
          const split = this.emit({ op: Op.Split, x: this.prog.length + 1, y: -1 })
          this.compile(node.node)
          this.emit({ op: Op.Jmp, x: split })
          ;(this.prog[split] as { y: number }).y = this.prog.length
        } else {
          const splits: number[] = []
          for (let i = node.min; i < node.max; i++) {
            splits.push(this.emit({ op: Op.Split, x: this.prog.length + 1, y: -1 }))
            this.compile(node.node)
          }
          for (const s of splits) (this.prog[s] as { y: number }).y = this.prog.length
        }
        return
      }
    }
  }
}

function assertHolds(kind: AssertKind, input: ArrayLike<number>, i: number): boolean {
  const n = input.length
  switch (kind) {
    case 'start':
      return i === 0
    case 'line-start':
      return i === 0 || input[i - 1] === 0x0a
    case 'end':
      return i === n
    case 'end-or-newline':
      return i === n || (i === n - 1 && input[i] === 0x0a)
    case 'line-end':
      return i === n || input[i] === 0x0a
    case 'word-boundary':
    case 'not-word-boundary': {
      const before = i > 0 && isWordCodePoint(input[i - 1]!)
      const after = i < n && isWordCodePoint(input[i]!)
      return (before !== after) === (kind === 'word-boundary')
    }
  }
}

class Program implements SafeRegex {
  private readonly anchored: boolean
  // Scratch state reused across calls (matching is synchronous).
  private readonly marks: Int32Array
  private readonly stack: Int32Array
  private generation = 0

  constructor(
    readonly source: string,
    private readonly prog: Instr[],
  ) {
    const first = prog[0]
    this.anchored = first?.op === Op.Assert && first.kind === 'start'
    this.marks = new Int32Array(prog.length)
    this.stack = new Int32Array(prog.length * 2 + 2)
  }

  test(input: string): boolean {
    const cps = new Uint32Array(input.length)
    let n = 0
    for (const ch of input) cps[n++] = ch.codePointAt(0)!
    return this.run(cps.subarray(0, n))
  }

  testBytes(input: Uint8Array): boolean {
    return this.run(input)
  }

  /**
   * Adds `pc` and everything reachable from it without consuming input to `list`. Returns
   * true when a Match state is reachable (the search can stop).
   */
  private addThread(
    list: Int32Array,
    count: { n: number },
    pc0: number,
    input: ArrayLike<number>,
    i: number,
  ): boolean {
    const { prog, marks, stack } = this
    const gen = this.generation
    let sp = 0
    stack[sp++] = pc0
    while (sp > 0) {
      const pc = stack[--sp]!
      if (marks[pc] === gen) continue
      marks[pc] = gen
      const instr = prog[pc]!
      switch (instr.op) {
        case Op.Match:
          return true
        case Op.Char:
          list[count.n++] = pc
          break
        case Op.Jmp:
          stack[sp++] = instr.x
          break
        case Op.Split:
          stack[sp++] = instr.y
          stack[sp++] = instr.x
          break
        case Op.Assert:
          if (assertHolds(instr.kind, input, i)) stack[sp++] = instr.next
          break
      }
    }
    return false
  }

  private run(input: ArrayLike<number>): boolean {
    const size = this.prog.length
    let clist = new Int32Array(size)
    let nlist = new Int32Array(size)
    const ccount = { n: 0 }
    const ncount = { n: 0 }
    this.generation++
    if (this.addThread(clist, ccount, 0, input, 0)) return true
    for (let i = 0; i < input.length; i++) {
      const cp = input[i]!
      this.generation++
      ncount.n = 0
      for (let k = 0; k < ccount.n; k++) {
        const instr = this.prog[clist[k]!] as { op: Op.Char; test: CharTest; next: number }
        if (instr.test(cp) && this.addThread(nlist, ncount, instr.next, input, i + 1)) return true
      }
      if (!this.anchored && this.addThread(nlist, ncount, 0, input, i + 1)) return true
      ;[clist, nlist] = [nlist, clist]
      ccount.n = ncount.n
      if (ccount.n === 0 && this.anchored) return false
    }
    return false
  }
}

function build(source: string): SafeRegex {
  const compiler = new Compiler(source)
  compiler.compile(parseRegex(source))
  compiler.prog.push({ op: Op.Match })
  return new Program(source, compiler.prog)
}

const CACHE_LIMIT = 10_000
const cache = new Map<string, SafeRegex | Error>()

/**
 * Compiles a PCRE-style regular expression (cached), or throws an `AppError` with code
 * `PATTERN_REGEX` naming the position of an unsupported or invalid construct.
 *
 * @example compileRegex('^C:\\\\Windows\\w+$').test('C:\\Windowsfoo') // true
 */
export function compileRegex(source: string): SafeRegex {
  let entry = cache.get(source)
  if (entry === undefined) {
    try {
      entry = build(source)
    } catch (error) {
      if (!(error instanceof Error)) throw error
      entry = error
    }
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(source, entry)
  }
  if (entry instanceof Error) throw entry
  return entry
}
