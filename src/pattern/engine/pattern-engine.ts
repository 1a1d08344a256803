/**
 * The compiled pattern engine: many STIX indicators indexed so that an observation is
 * evaluated only against the patterns it could satisfy (STIX 2.1 sections 4.7, 9).
 */
import type { ComparisonExpr, ObservationExpr, Pattern } from '../ast.js'
import {
  matchObservation,
  patternRegexErrors,
  resolvePath,
  type MatchedValue,
} from '../evaluate.js'
import { parseIpv4Uint, type IpNetwork } from '../ip.js'
import { timestampMicros, type Observation } from '../observations.js'
import { parsePattern } from '../parse-pattern.js'
import { anchorsOf, normaliseString, objectTypesOf, scalarKey, type PathInfo } from './anchors.js'
import {
  isMultiObservation,
  ObservationState,
  type LeafMatcher,
  type MatchedObservation,
} from './observation-state.js'

/** Options of {@link compile}. */
export interface CompileOptions {
  /**
   * Most indicators with partial multi-observation matches held at once; beyond it the
   * least recently updated state is dropped. Default 100,000.
   */
  maxActiveStates?: number
  /** Partial matches kept per sub-expression of one pattern (oldest dropped). Default 32. */
  historyLimit?: number
  /** Parsed patterns kept in memory for candidate evaluation (FIFO). Default 50,000. */
  parsedCacheSize?: number
}

/** An indicator that was not loaded, and why. */
export interface SkippedIndicator {
  id: string
  reason: string
}

/** One match of one indicator. */
export interface EngineHit {
  indicatorId: string
  /** The observations that make up the match (one for single-observation patterns). */
  observations: MatchedObservation[]
}

/** Result of {@link compile}. */
export interface CompileResult {
  engine: PatternEngine
  /** Indicators loaded (after keeping only the newest version of each id). */
  loaded: number
  skipped: SkippedIndicator[]
}

type Ids = number | number[]

function addId(map: Map<string, Ids> | Map<number, Ids>, key: string | number, id: number): void {
  const m = map as Map<string | number, Ids>
  const current = m.get(key)
  if (current === undefined) m.set(key, id)
  else if (typeof current === 'number') m.set(key, [current, id])
  else current.push(id)
}

/** All indexes for one object path. */
class PathIndex {
  readonly eqString = new Map<string, Ids>()
  readonly eqScalar = new Map<string, Ids>()
  /** IPv4 blocks: prefix length -> masked address -> leaves. */
  readonly cidr4 = new Map<number, Map<number, Ids>>()
  cidr4Lengths: number[] = []
  /** IPv6 blocks: prefix length -> masked address hex -> leaves. */
  readonly cidr6 = new Map<number, Map<string, Ids>>()
  cidr6Lengths: number[] = []
  /** Set by `seal()`: filters in front of the maps (see {@link StringBloom}). */
  eqBloom: StringBloom | undefined
  prefixBloom: StringBloom | undefined
  suffixBloom: StringBloom | undefined
  /**
   * Set by `seal()`, parallel to `cidr4Lengths`: the blocks of each length, and a filter
   * over them (a few kB, where a bitmap of all /24 blocks would take 2 MB and miss the cache).
   */
  cidr4ByLength: Map<number, Ids>[] = []
  cidr4Filters: StringBloom[] = []
  /** Literal prefixes / suffixes of LIKE and MATCHES: length -> text -> leaves. */
  readonly prefixes = new Map<number, Map<string, Ids>>()
  readonly suffixes = new Map<number, Map<string, Ids>>()
  affixLengths: { prefix: number[]; suffix: number[] } = { prefix: [], suffix: [] }
  /** True when some suffix anchor came from `$` (which also matches before a final newline). */
  suffixNewline = false
  readonly version: 4 | 6 | undefined
  /** Property names when the path is plain properties without references (fast walk). */
  readonly simpleSteps: string[] | undefined

  constructor(readonly info: PathInfo) {
    const t = info.path.objectType
    this.version = info.kind === 'ip' ? (t === 'ipv4-addr' ? 4 : 6) : undefined
    const steps = info.path.steps
    this.simpleSteps =
      info.exact && steps.every((s) => s.kind === 'property')
        ? steps.map((s) => (s.kind === 'property' ? s.name : ''))
        : undefined
  }

  addCidr(net: IpNetwork, id: number): void {
    if (net.version === 4) {
      let byAddr = this.cidr4.get(net.prefix)
      if (!byAddr) {
        byAddr = new Map()
        this.cidr4.set(net.prefix, byAddr)
        this.cidr4Lengths = [...this.cidr4.keys()].sort((a, b) => a - b)
      }
      addId(byAddr, bytesToUint(net.bytes), id)
    } else {
      let byAddr = this.cidr6.get(net.prefix)
      if (!byAddr) {
        byAddr = new Map()
        this.cidr6.set(net.prefix, byAddr)
        this.cidr6Lengths = [...this.cidr6.keys()].sort((a, b) => a - b)
      }
      addId(byAddr, maskedHex(net.bytes, net.prefix), id)
    }
  }

  seal(): void {
    this.eqBloom = new StringBloom(Array.from(this.eqString.keys(), hashString), this.eqString.size)
    const prefixHashes: number[] = []
    for (const byText of this.prefixes.values())
      for (const k of byText.keys()) prefixHashes.push(hashString(k))
    this.prefixBloom = new StringBloom(prefixHashes, prefixHashes.length)
    const suffixHashes: number[] = []
    for (const byText of this.suffixes.values())
      for (const k of byText.keys()) suffixHashes.push(hashBackwards(k))
    this.suffixBloom = new StringBloom(suffixHashes, suffixHashes.length)
    this.cidr4ByLength = this.cidr4Lengths.map(
      (len) => this.cidr4.get(len) ?? new Map<number, Ids>(),
    )
    this.cidr4Filters = this.cidr4ByLength.map(
      (byAddr) => new StringBloom(Array.from(byAddr.keys(), mix), byAddr.size),
    )
  }

  addAffix(kind: 'prefix' | 'suffix', text: string, id: number): void {
    const table = kind === 'prefix' ? this.prefixes : this.suffixes
    let byText = table.get(text.length)
    if (!byText) {
      byText = new Map()
      table.set(text.length, byText)
      this.affixLengths = {
        prefix: [...this.prefixes.keys()].sort((a, b) => a - b),
        suffix: [...this.suffixes.keys()].sort((a, b) => a - b),
      }
    }
    addId(byText, text, id)
  }
}

/**
 * A blocked Bloom filter over 32-bit key hashes (about 10 bits per key, 3 bits per key in one
 * 32-bit word, a few % false positives). Most event values match no indicator; the filter
 * answers those with one read of a compact bit array (one cache line at most, whatever the
 * number of keys) instead of a probe into a Map of up to millions of keys, which misses the
 * CPU cache. A positive answer is only a hint: the Map decides.
 */
class StringBloom {
  private readonly words: Uint32Array
  private readonly mask: number

  /** A filter over the given 32-bit key hashes. */
  constructor(hashes: Iterable<number>, count: number) {
    let bits = 64
    while (bits < count * 10) bits *= 2
    this.words = new Uint32Array(bits / 32)
    this.mask = bits / 32 - 1
    for (const h of hashes) this.words[h & this.mask]! |= wordBits(h)
  }

  mayContainHash(h: number): boolean {
    const want = wordBits(h)
    return (this.words[h & this.mask]! & want) === want
  }

  mayContain(key: string): boolean {
    return this.mayContainHash(hashString(key))
  }
}

const FNV_OFFSET = 0x811c9dc5
const fnvStep = (h: number, code: number): number => Math.imul(h ^ code, 0x01000193)

/** FNV-1a over UTF-16 code units, backwards (suffixes hash incrementally from the end). */
function hashBackwards(text: string): number {
  let h = FNV_OFFSET
  for (let i = text.length - 1; i >= 0; i--) h = fnvStep(h, text.charCodeAt(i))
  return h >>> 0
}

/** FNV-1a over UTF-16 code units. */
function hashString(text: string): number {
  let h = FNV_OFFSET
  for (let i = 0; i < text.length; i++) h = fnvStep(h, text.charCodeAt(i))
  return h >>> 0
}

/** The 3 bits a key sets in its word (from hash bits independent of the word index). */
function wordBits(h: number): number {
  const m = mix(h)
  return (1 << (m & 31)) | (1 << ((m >>> 5) & 31)) | (1 << ((m >>> 10) & 31))
}

function mix(h: number): number {
  let x = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b)
  return (x ^ (x >>> 16)) >>> 0
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

function bytesToUint(b: Uint8Array): number {
  return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0
}

function maskedHex(bytes: Uint8Array, prefix: number): string {
  let hex = ''
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8))
    hex += ((bytes[i] ?? 0) & ((0xff << (8 - bits)) & 0xff)).toString(16).padStart(2, '0')
  }
  return hex
}

const FLAG_SIMPLE = 1
const FLAG_MULTI = 2

/** A parsed pattern with its leaves numbered in document order. */
interface ParsedIndicator {
  readonly expr: ObservationExpr
  readonly leaves: readonly ComparisonExpr[]
  readonly leafIndex: ReadonlyMap<ComparisonExpr, number>
}

function leavesOf(expr: ObservationExpr): ComparisonExpr[] {
  const out: ComparisonExpr[] = []
  const visit = (e: ObservationExpr): void => {
    switch (e.kind) {
      case 'observation':
        out.push(e.expr)
        break
      case 'observation-and':
      case 'observation-or':
      case 'followed-by':
        e.operands.forEach(visit)
        break
      case 'qualified':
        visit(e.expr)
        break
    }
  }
  visit(expr)
  return out
}

/** Single-observation patterns: `OR` of bodies with `WITHIN` / `START ... STOP`. */
function statelessMatch(
  expr: ObservationExpr,
  obs: Observation,
  leaf: (e: ComparisonExpr) => boolean,
): boolean {
  switch (expr.kind) {
    case 'observation':
      return leaf(expr.expr)
    case 'observation-or':
      return expr.operands.some((e) => statelessMatch(e, obs, leaf))
    case 'qualified': {
      const q = expr.qualifier
      if (
        q.kind === 'start-stop' &&
        !(obs.firstObserved >= q.start.micros && obs.lastObserved < q.stop.micros)
      )
        return false
      return statelessMatch(expr.expr, obs, leaf)
    }
    case 'observation-and':
    case 'followed-by':
      return false
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** What {@link PatternEngine.match} does for an SCO of one type (one Map probe per SCO). */
interface TypeEntry {
  readonly indexes: readonly PathIndex[]
  readonly always: readonly number[] | undefined
  readonly alwaysShown: MatchedValue
}

/**
 * A compiled set of indicators. {@link match} is stateful: multi-observation patterns keep
 * partial matches across calls (bounded, see {@link CompileOptions}).
 */
export class PatternEngine {
  // Per indicator (parallel arrays keep 1M indicators compact).
  private readonly ids: string[] = []
  private readonly patterns: (string | undefined)[] = []
  private readonly validFrom: number[] = []
  private readonly validUntil: number[] = []
  private readonly flags: number[] = []
  // Per leaf (one `[...]` body of one indicator).
  private readonly leafIndicator: number[] = []
  private readonly leafOrdinal: number[] = []
  private seen = new Uint32Array(0)
  private generation = 0

  private readonly byPath = new Map<string, PathIndex>()
  private readonly byType = new Map<string, PathIndex[]>()
  private readonly always = new Map<string, number[]>()
  /** Set by `seal()`: `byType` and `always` merged. */
  private readonly typeEntries = new Map<string, TypeEntry>()

  private readonly parsedCache = new Map<number, ParsedIndicator>()
  private readonly states = new Map<number, ObservationState>()
  private readonly maxActiveStates: number
  private readonly historyLimit: number
  private readonly parsedCacheSize: number

  // Scratch buffers reused by match(): entries past `candCount` are stale, and are
  // overwritten rather than cleared (resizing an array on every event costs a runtime call).
  private readonly candLeaves: number[] = []
  private readonly candValues: MatchedValue[] = []
  private candCount = 0

  /** @internal use {@link compile} */
  constructor(options: CompileOptions = {}) {
    this.maxActiveStates = options.maxActiveStates ?? 100_000
    this.historyLimit = options.historyLimit ?? 32
    this.parsedCacheSize = options.parsedCacheSize ?? 50_000
  }

  /** Number of indicators loaded. */
  get size(): number {
    return this.ids.length
  }

  /** Indicators whose multi-observation partial matches are currently held. */
  get activeStates(): number {
    return this.states.size
  }

  /** Index shape, for diagnostics and the benchmark. */
  stats(): { indicators: number; leaves: number; paths: number; unanchoredLeaves: number } {
    let unanchored = 0
    for (const list of this.always.values()) unanchored += list.length
    return {
      indicators: this.ids.length,
      leaves: this.leafIndicator.length,
      paths: this.byPath.size,
      unanchoredLeaves: unanchored,
    }
  }

  /** @internal */
  add(id: string, text: string, pattern: Pattern, validFrom: number, validUntil: number): void {
    const ind = this.ids.length
    const leaves = leavesOf(pattern.expr)
    const multi = isMultiObservation(pattern.expr)
    let simple = false
    if (pattern.expr.kind === 'observation') {
      const body = pattern.expr.expr
      const anchors = anchorsOf(body)
      // The index answers these exactly: a hit needs no parse and no evaluation.
      simple =
        body.kind === 'comparison' &&
        anchors !== undefined &&
        anchors.every(
          (a) =>
            a.path.exact &&
            (a.kind === 'eq-string' ||
              a.kind === 'eq-scalar' ||
              (a.kind === 'cidr' && a.path.kind === 'ip')),
        ) &&
        (body.operator === '=' || body.operator === 'IN' || body.operator === 'ISSUBSET')
    }
    this.ids.push(id)
    this.patterns.push(simple ? undefined : text)
    this.validFrom.push(validFrom)
    this.validUntil.push(validUntil)
    this.flags.push((simple ? FLAG_SIMPLE : 0) | (multi ? FLAG_MULTI : 0))
    leaves.forEach((body, ordinal) => {
      const leaf = this.leafIndicator.length
      this.leafIndicator.push(ind)
      this.leafOrdinal.push(ordinal)
      const anchors = anchorsOf(body)
      if (!anchors) {
        for (const type of objectTypesOf(body)) {
          let list = this.always.get(type)
          if (!list) this.always.set(type, (list = []))
          list.push(leaf)
        }
        return
      }
      for (const a of anchors) {
        const index = this.pathIndex(a.path)
        if (a.kind === 'eq-string') addId(index.eqString, a.value, leaf)
        else if (a.kind === 'eq-scalar') addId(index.eqScalar, a.value, leaf)
        else if (a.kind === 'cidr') index.addCidr(a.net, leaf)
        else {
          index.addAffix(a.kind, a.value, leaf)
          if (a.kind === 'suffix' && a.newline) index.suffixNewline = true
        }
      }
    })
  }

  /** @internal */
  seal(): void {
    this.seen = new Uint32Array(this.leafIndicator.length)
    for (const index of this.byPath.values()) index.seal()
    this.typeEntries.clear()
    const types = new Set([...this.byType.keys(), ...this.always.keys()])
    for (const type of types) {
      this.typeEntries.set(type, {
        indexes: this.byType.get(type) ?? [],
        always: this.always.get(type),
        alwaysShown: { type, path: `${type}:`, value: undefined },
      })
    }
  }

  private pathIndex(info: PathInfo): PathIndex {
    let index = this.byPath.get(info.key)
    if (!index) {
      index = new PathIndex(info)
      this.byPath.set(info.key, index)
      let list = this.byType.get(info.path.objectType)
      if (!list) this.byType.set(info.path.objectType, (list = []))
      list.push(index)
    }
    return index
  }

  private candidate(leaf: number, value: MatchedValue): void {
    if (this.seen[leaf] === this.generation) return
    this.seen[leaf] = this.generation
    const k = this.candCount++
    this.candLeaves[k] = leaf
    this.candValues[k] = value
  }

  private candidates(ids: Ids | undefined, index: PathIndex, value: unknown): void {
    if (ids === undefined) return
    const shown: MatchedValue = { type: index.info.path.objectType, path: index.info.key, value }
    if (typeof ids === 'number') this.candidate(ids, shown)
    else for (const id of ids) this.candidate(id, shown)
  }

  private lookup(index: PathIndex, value: unknown): void {
    if (typeof value === 'string') {
      const kind = index.info.kind
      let key = value
      let v4 = -1
      if (kind === 'ip' || kind === 'maybe-ip') {
        v4 = index.version === 6 ? -1 : parseIpv4Uint(value)
        if (v4 < 0) key = normaliseString(kind, value, index.version)
      } else if (kind === 'hex-hash') {
        key = value.toLowerCase()
      }
      if (index.eqString.size > 0 && (!index.eqBloom || index.eqBloom.mayContain(key)))
        this.candidates(index.eqString.get(key), index, value)
      if (index.cidr4Lengths.length > 0 || index.cidr6Lengths.length > 0)
        this.lookupCidr(index, value, v4)
      if (index.prefixes.size > 0 || index.suffixes.size > 0) this.lookupAffixes(index, value)
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      this.candidates(index.eqScalar.get(scalarKey(value)), index, value)
    }
  }

  private lookupAffixes(index: PathIndex, raw: string): void {
    // LIKE and MATCHES compare the NFC form; ASCII is already in it.
    const value = isAscii(raw) ? raw : raw.normalize('NFC')
    const { prefix, suffix } = index.affixLengths
    // Hash every prefix in one forward pass; probe the maps only past the filter.
    let h = FNV_OFFSET
    let done = 0
    for (const len of prefix) {
      if (len > value.length) break
      for (; done < len; done++) h = fnvStep(h, value.charCodeAt(done))
      if (index.prefixBloom && !index.prefixBloom.mayContainHash(h >>> 0)) continue
      this.candidates(index.prefixes.get(len)?.get(value.slice(0, len)), index, raw)
    }
    this.lookupSuffixes(index, value, suffix, raw)
    if (index.suffixNewline && value.endsWith('\n'))
      this.lookupSuffixes(index, value.slice(0, -1), suffix, raw)
  }

  private lookupSuffixes(index: PathIndex, value: string, lengths: number[], raw: string): void {
    let h = FNV_OFFSET
    let done = 0
    for (const len of lengths) {
      if (len > value.length) break
      for (; done < len; done++) h = fnvStep(h, value.charCodeAt(value.length - 1 - done))
      if (index.suffixBloom && !index.suffixBloom.mayContainHash(h >>> 0)) continue
      this.candidates(index.suffixes.get(len)?.get(value.slice(value.length - len)), index, raw)
    }
  }

  private lookupCidr(index: PathIndex, value: string, v4: number): void {
    if (v4 >= 0) {
      const lengths = index.cidr4Lengths
      for (let k = 0; k < lengths.length; k++) {
        const len = lengths[k]!
        const masked = len === 0 ? 0 : (v4 & (0xffffffff << (32 - len))) >>> 0
        const filter = index.cidr4Filters[k]
        if (filter && !filter.mayContainHash(mix(masked))) continue
        this.candidates((index.cidr4ByLength[k] ?? index.cidr4.get(len))?.get(masked), index, value)
      }
      return
    }
    const key = normaliseString('ip', value, index.version)
    if (key === value && !value.includes('/')) return
    // Networks and IPv6: reparse to get bytes and prefix.
    const slash = key.lastIndexOf('/')
    const prefixOfValue = slash >= 0 ? Number(key.slice(slash + 1)) : undefined
    if (key.startsWith('6:')) {
      const hex = key.slice(2, slash >= 0 ? slash : undefined)
      const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
      const max = prefixOfValue ?? 128
      for (const len of index.cidr6Lengths) {
        if (len > max) break
        this.candidates(index.cidr6.get(len)?.get(maskedHex(bytes, len)), index, value)
      }
    } else if (slash >= 0 && prefixOfValue !== undefined) {
      const addr = parseIpv4Uint(key.slice(0, slash))
      if (addr < 0) return
      for (const len of index.cidr4Lengths) {
        if (len > prefixOfValue) break
        const masked = len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0
        this.candidates(index.cidr4.get(len)?.get(masked), index, value)
      }
    }
  }

  private parsed(ind: number): ParsedIndicator | undefined {
    let p = this.parsedCache.get(ind)
    if (p) return p
    const text = this.patterns[ind]
    if (text === undefined) return undefined
    const result = parsePattern(text)
    if (!result.ok) return undefined
    const leaves = leavesOf(result.pattern.expr)
    p = { expr: result.pattern.expr, leaves, leafIndex: new Map(leaves.map((l, i) => [l, i])) }
    if (this.parsedCache.size >= this.parsedCacheSize) {
      const oldest = this.parsedCache.keys().next().value
      if (oldest !== undefined) this.parsedCache.delete(oldest)
    }
    this.parsedCache.set(ind, p)
    return p
  }

  /**
   * Matches one observation against every indicator whose validity window
   * (`valid_from` <= time < `valid_until`) overlaps it. Returns the new hits, at most one per
   * indicator; multi-observation patterns report when this observation completes a match.
   */
  match(obs: Observation): EngineHit[] {
    this.generation = (this.generation + 1) >>> 0
    if (this.generation === 0) {
      this.seen.fill(0)
      this.generation = 1
    }
    this.candCount = 0
    const objects = obs.objects
    for (let i = 0; i < objects.length; i++) {
      const sco = objects[i]!
      const type = sco['type']
      if (typeof type !== 'string') continue
      const entry = this.typeEntries.get(type)
      if (entry === undefined) continue
      const indexes = entry.indexes
      for (let k = 0; k < indexes.length; k++) {
        const index = indexes[k]!
        const simple = index.simpleSteps
        if (simple === undefined) {
          for (const r of resolvePath(index.info.path, sco, obs)) this.lookup(index, r.value)
          continue
        }
        let v: unknown = sco
        for (let s = 0; s < simple.length && v !== undefined; s++)
          v = isRecord(v) ? v[simple[s]!] : undefined
        if (v !== undefined && v !== null) this.lookup(index, v)
      }
      const always = entry.always
      if (always !== undefined)
        for (let k = 0; k < always.length; k++) this.candidate(always[k]!, entry.alwaysShown)
    }
    if (this.candCount === 0) return []
    return this.evaluateCandidates(obs)
  }

  private evaluateCandidates(obs: Observation): EngineHit[] {
    const hits: EngineHit[] = []
    // Group candidate leaves by indicator: leaves of one indicator are adjacent in id order
    // only by chance, so gather them first.
    let byIndicator: Map<number, number[]> | undefined
    const n = this.candCount
    for (let k = 0; k < n; k++) {
      const leaf = this.candLeaves[k]!
      const ind = this.leafIndicator[leaf]!
      if (obs.lastObserved < this.validFrom[ind]! || obs.firstObserved >= this.validUntil[ind]!)
        continue
      if (this.flags[ind]! & FLAG_SIMPLE) {
        hits.push({
          indicatorId: this.ids[ind]!,
          observations: [observed(obs, [this.candValues[k]!])],
        })
        continue
      }
      byIndicator ??= new Map()
      const list = byIndicator.get(ind)
      if (list) list.push(leaf)
      else byIndicator.set(ind, [leaf])
    }
    if (!byIndicator) return hits
    for (const [ind, leaves] of byIndicator) {
      const parsed = this.parsed(ind)
      if (!parsed) continue
      const candidateOrdinals = new Set(leaves.map((l) => this.leafOrdinal[l]!))
      const results = new Map<number, MatchedValue[] | undefined>()
      const leafMatch = (e: ComparisonExpr, ordinal: number): MatchedValue[] | undefined => {
        if (!candidateOrdinals.has(ordinal)) return undefined
        if (!results.has(ordinal)) results.set(ordinal, matchObservation(e, obs))
        return results.get(ordinal)
      }
      if (this.flags[ind]! & FLAG_MULTI) {
        const matched = this.pushState(ind, parsed, obs, leafMatch)
        if (matched) hits.push({ indicatorId: this.ids[ind]!, observations: matched })
      } else {
        let values: MatchedValue[] | undefined
        const ok = statelessMatch(parsed.expr, obs, (e) => {
          const m = leafMatch(e, parsed.leafIndex.get(e) ?? -1)
          if (m) values = m
          return m !== undefined
        })
        if (ok)
          hits.push({ indicatorId: this.ids[ind]!, observations: [observed(obs, values ?? [])] })
      }
    }
    return hits
  }

  private pushState(
    ind: number,
    parsed: ParsedIndicator,
    obs: Observation,
    leafMatch: LeafMatcher,
  ): MatchedObservation[] | undefined {
    let state = this.states.get(ind)
    if (state) {
      // Re-insert: the Map's order is then least recently updated first.
      this.states.delete(ind)
    } else {
      state = new ObservationState(parsed.expr, { historyLimit: this.historyLimit })
    }
    const matched = state.push(obs, leafMatch)
    if (!state.isEmpty()) {
      this.states.set(ind, state)
      if (this.states.size > this.maxActiveStates) {
        const oldest = this.states.keys().next().value
        if (oldest !== undefined) this.states.delete(oldest)
      }
    }
    return matched
  }
}

function observed(obs: Observation, matched: MatchedValue[]): MatchedObservation {
  return { id: obs.id, firstObserved: obs.firstObserved, lastObserved: obs.lastObserved, matched }
}

type IndicatorFields = Readonly<
  Record<'revoked' | 'pattern_type' | 'pattern' | 'valid_from' | 'valid_until', unknown>
>

/**
 * Compiles STIX `indicator` objects (`pattern_type: stix`) into a {@link PatternEngine}.
 * Of several versions of one id only the newest (`modified`) counts; a revoked newest
 * version removes the indicator. Indicators that cannot be used are listed in `skipped`
 * with the reason (not an indicator, other pattern type, syntax error, bad regex...).
 *
 * @example
 * const { engine } = compile(bundle.objects)
 * for (const hit of engine.match(observation)) console.log(hit.indicatorId)
 */
export function compile(
  indicators: Iterable<unknown>,
  options: CompileOptions = {},
): CompileResult {
  const skipped: SkippedIndicator[] = []
  // Only the fields used are kept, so that a lazily generated input is not held whole.
  const newest = new Map<string, { obj: IndicatorFields; modified: number }>()
  let position = 0
  for (const obj of indicators) {
    position++
    if (!isRecord(obj) || obj['type'] !== 'indicator') continue
    const id = obj['id']
    if (typeof id !== 'string') {
      skipped.push({ id: `(indicator #${position})`, reason: 'missing id' })
      continue
    }
    const modified =
      timestampMicros(obj['modified']) ?? timestampMicros(obj['created']) ?? -Infinity
    const current = newest.get(id)
    if (!current || modified > current.modified) {
      const fields: IndicatorFields = {
        revoked: obj['revoked'],
        pattern_type: obj['pattern_type'],
        pattern: obj['pattern'],
        valid_from: obj['valid_from'],
        valid_until: obj['valid_until'],
      }
      newest.set(id, { obj: fields, modified })
    }
  }
  const engine = new PatternEngine(options)
  for (const [id, { obj }] of newest) {
    if (obj['revoked'] === true) {
      skipped.push({ id, reason: 'revoked' })
      continue
    }
    if (obj['pattern_type'] !== 'stix') {
      skipped.push({
        id,
        reason: `pattern_type ${JSON.stringify(obj['pattern_type'])} is not stix`,
      })
      continue
    }
    const text = obj['pattern']
    if (typeof text !== 'string') {
      skipped.push({ id, reason: 'missing pattern' })
      continue
    }
    const parsed = parsePattern(text)
    if (!parsed.ok) {
      const e = parsed.error
      const where = `column ${e.column}`
      // The parser's message may already start with the column.
      const message = e.message.startsWith(`${where}: `)
        ? e.message.slice(where.length + 2)
        : e.message
      skipped.push({ id, reason: `pattern syntax error at line ${e.line}, ${where}: ${message}` })
      continue
    }
    const regexErrors = patternRegexErrors(parsed.pattern.expr)
    if (regexErrors.length > 0) {
      skipped.push({ id, reason: regexErrors[0]! })
      continue
    }
    const from = obj['valid_from'] === undefined ? -Infinity : timestampMicros(obj['valid_from'])
    const until = obj['valid_until'] === undefined ? Infinity : timestampMicros(obj['valid_until'])
    if (from === undefined || until === undefined) {
      skipped.push({ id, reason: 'valid_from / valid_until is not a STIX timestamp' })
      continue
    }
    engine.add(id, text, parsed.pattern, from, until)
  }
  engine.seal()
  return { engine, loaded: engine.size, skipped }
}
