/**
 * Incremental evaluation of an observation expression over a stream of observations
 * (STIX 2.1 sections 9.5.1, 9.5.2). Each node keeps the partial matches ("bindings") its
 * parent may still combine; a new observation produces new bindings bottom-up, and a new
 * binding at the root is a match. Memory is bounded: see {@link ObservationStateLimits}.
 */
import type { ComparisonExpr, ObservationExpr } from '../ast.js'
import type { MatchedValue } from '../evaluate.js'
import type { Observation } from '../observations.js'

/** One observation taking part in a match. */
export interface MatchedObservation {
  readonly id: string
  readonly firstObserved: number
  readonly lastObserved: number
  readonly matched: MatchedValue[]
}

interface ObsRef extends MatchedObservation {
  readonly seq: number
  readonly count: number
}

interface Binding {
  /** Distinct observations, ascending by `seq`. */
  readonly obs: readonly ObsRef[]
  /** Earliest `first_observed` and latest `last_observed` in the set, microseconds. */
  readonly start: number
  readonly end: number
  /** How many observations the set stands for (`number_observed`), for REPEATS. */
  readonly weight: number
}

type Node =
  | { k: 'leaf'; expr: ComparisonExpr; ordinal: number; history: Binding[]; window: number }
  | { k: 'or'; children: Node[]; history: Binding[]; window: number }
  | { k: 'and'; ordered: boolean; children: Node[]; history: Binding[]; window: number }
  | { k: 'within'; micros: number; child: Node; history: Binding[]; window: number }
  | {
      k: 'start-stop'
      start: number
      stop: number
      child: Node
      history: Binding[]
      window: number
    }
  | { k: 'repeats'; times: number; child: Node; history: Binding[]; window: number }

/** Bounds on the partial matches one pattern keeps. */
export interface ObservationStateLimits {
  /**
   * Partial matches kept per sub-expression whose parent combines observations (`AND`,
   * `FOLLOWEDBY`, `REPEATS`); the oldest are dropped first. Default 32.
   */
  historyLimit?: number
  /** New combined matches built per node per observation (newest first). Default 8. */
  combinationLimit?: number
}

const SEARCH_STEPS = 10_000

/**
 * Whether the current observation satisfies a `[...]` body, given the body and its ordinal
 * (document order); the matched values, or `undefined`.
 */
export type LeafMatcher = (expr: ComparisonExpr, ordinal: number) => MatchedValue[] | undefined

/** Leaves are numbered in document order (the order a left-to-right walk meets them). */
function build(expr: ObservationExpr, window: number, counter = { next: 0 }): Node {
  const sub = (e: ObservationExpr, w: number): Node => build(e, w, counter)
  switch (expr.kind) {
    case 'observation':
      return { k: 'leaf', expr: expr.expr, ordinal: counter.next++, history: [], window }
    case 'observation-or':
      return { k: 'or', children: expr.operands.map((e) => sub(e, window)), history: [], window }
    case 'observation-and':
    case 'followed-by':
      return {
        k: 'and',
        ordered: expr.kind === 'followed-by',
        children: expr.operands.map((e) => sub(e, window)),
        history: [],
        window,
      }
    case 'qualified': {
      const q = expr.qualifier
      switch (q.kind) {
        case 'within': {
          const micros = q.seconds * 1e6
          return {
            k: 'within',
            micros,
            child: sub(expr.expr, Math.min(window, micros)),
            history: [],
            window,
          }
        }
        case 'repeats':
          return {
            k: 'repeats',
            times: q.times,
            child: sub(expr.expr, window),
            history: [],
            window,
          }
        case 'start-stop':
          return {
            k: 'start-stop',
            start: q.start.micros,
            stop: q.stop.micros,
            child: sub(expr.expr, window),
            history: [],
            window,
          }
      }
    }
  }
}

function disjoint(a: Binding, b: Binding): boolean {
  let i = 0
  let j = 0
  while (i < a.obs.length && j < b.obs.length) {
    const x = a.obs[i]!.seq
    const y = b.obs[j]!.seq
    if (x === y) return false
    if (x < y) i++
    else j++
  }
  return true
}

function merge(parts: readonly Binding[], weight: number): Binding {
  const obs = parts.flatMap((p) => p.obs).sort((a, b) => a.seq - b.seq)
  let start = Infinity
  let end = -Infinity
  for (const p of parts) {
    start = Math.min(start, p.start)
    end = Math.max(end, p.end)
  }
  return { obs, start, end, weight }
}

/** True when the expression combines several observations (needs state across events). */
export function isMultiObservation(expr: ObservationExpr): boolean {
  switch (expr.kind) {
    case 'observation':
      return false
    case 'observation-or':
      return expr.operands.some(isMultiObservation)
    case 'observation-and':
    case 'followed-by':
      return true
    case 'qualified':
      return expr.qualifier.kind === 'repeats' || isMultiObservation(expr.expr)
  }
}

/**
 * The running state of one pattern over a stream. {@link push} feeds one observation and
 * returns the observations of a new complete match, if this observation completes one.
 *
 * Semantics (section 9.5): `AND` and `FOLLOWEDBY` need distinct observations; `FOLLOWEDBY`
 * needs each operand's latest `last_observed` at or before the next operand's earliest
 * `first_observed`; `WITHIN n SECONDS` needs, for two or more observations, latest minus
 * earliest below n seconds; `START x STOP y` needs every `first_observed >= x` and
 * `last_observed < y`; `REPEATS n TIMES` needs distinct matches standing for at least n
 * observations, an observed-data counting `number_observed` times.
 */
export class ObservationState {
  private readonly root: Node
  private readonly historyLimit: number
  private readonly combinationLimit: number
  private seq = 0
  private latest = -Infinity
  private observation: Observation | undefined
  private leafMatch: LeafMatcher | undefined

  constructor(expr: ObservationExpr, limits: ObservationStateLimits = {}) {
    this.root = build(expr, Infinity)
    this.historyLimit = limits.historyLimit ?? 32
    this.combinationLimit = limits.combinationLimit ?? 8
  }

  /** True when no partial match is held (the state can be dropped). */
  isEmpty(): boolean {
    const empty = (n: Node): boolean => {
      if (n.history.length > 0) return false
      switch (n.k) {
        case 'leaf':
          return true
        case 'or':
        case 'and':
          return n.children.every(empty)
        case 'within':
        case 'start-stop':
        case 'repeats':
          return empty(n.child)
      }
    }
    return empty(this.root)
  }

  /**
   * Feeds one observation; `leafMatch` tells whether it satisfies a `[...]` body (and with
   * which values). Returns the observations of a new match, oldest first, or `undefined`.
   */
  push(obs: Observation, leafMatch: LeafMatcher): MatchedObservation[] | undefined {
    this.observation = obs
    this.leafMatch = leafMatch
    this.seq++
    this.latest = Math.max(this.latest, obs.lastObserved)
    try {
      const found = this.step(this.root, false)
      const first = found[0]
      if (!first) return undefined
      return [...first.obs].sort((a, b) => a.firstObserved - b.firstObserved || a.seq - b.seq)
    } finally {
      this.observation = undefined
      this.leafMatch = undefined
    }
  }

  /** New bindings of `node` due to the current observation; `keep` records them in history. */
  private step(node: Node, keep: boolean): Binding[] {
    const fresh = this.fresh(node)
    if (keep) this.remember(node, fresh)
    return fresh
  }

  private remember(node: Node, fresh: Binding[]): void {
    const h = node.history
    if (node.window !== Infinity) {
      const horizon = this.latest - node.window
      let drop = 0
      while (drop < h.length && h[drop]!.end < horizon) drop++
      if (drop > 0) h.splice(0, drop)
    }
    for (const b of fresh) h.push(b)
    if (h.length > this.historyLimit) h.splice(0, h.length - this.historyLimit)
  }

  private fresh(node: Node): Binding[] {
    switch (node.k) {
      case 'leaf': {
        const obs = this.observation!
        const matched = this.leafMatch!(node.expr, node.ordinal)
        if (!matched) return []
        const ref: ObsRef = {
          id: obs.id,
          seq: this.seq,
          firstObserved: obs.firstObserved,
          lastObserved: obs.lastObserved,
          count: obs.numberObserved,
          matched,
        }
        return [
          {
            obs: [ref],
            start: obs.firstObserved,
            end: obs.lastObserved,
            weight: obs.numberObserved,
          },
        ]
      }
      case 'or':
        return node.children.flatMap((c) => this.step(c, false))
      case 'within':
        return this.step(node.child, false).filter(
          (b) => (b.obs.length < 2 && b.weight < 2) || b.end - b.start < node.micros,
        )
      case 'start-stop':
        return this.step(node.child, false).filter(
          (b) => b.start >= node.start && b.end < node.stop,
        )
      case 'repeats':
        return this.repeats(node)
      case 'and':
        return this.and(node)
    }
  }

  private repeats(node: Extract<Node, { k: 'repeats' }>): Binding[] {
    const history = [...node.child.history]
    const fresh = this.step(node.child, true)
    const out: Binding[] = []
    for (const b of fresh) {
      if (out.length >= this.combinationLimit) break
      if (b.weight >= node.times) {
        out.push({ ...b, weight: Math.floor(b.weight / node.times) })
        continue
      }
      // Newest partial matches first: they are the likeliest to fit an enclosing WITHIN.
      const parts = [b]
      let weight = b.weight
      for (let i = history.length - 1; i >= 0 && weight < node.times; i--) {
        const h = history[i]!
        if (parts.every((p) => disjoint(p, h))) {
          parts.push(h)
          weight += h.weight
        }
      }
      if (weight >= node.times) out.push(merge(parts, 1))
    }
    return out
  }

  private and(node: Extract<Node, { k: 'and' }>): Binding[] {
    const histories = node.children.map((c) => [...c.history])
    const freshes = node.children.map((c) => this.step(c, true))
    const out: Binding[] = []
    const n = node.children.length
    let steps = 0
    const chosen: Binding[] = new Array<Binding>(n)
    const fits = (j: number, b: Binding): boolean => {
      for (let x = 0; x < j; x++) if (!disjoint(chosen[x]!, b)) return false
      return !node.ordered || j === 0 || chosen[j - 1]!.end <= b.start
    }
    const search = (j: number, fixed: number, b: Binding): void => {
      if (out.length >= this.combinationLimit || steps++ > SEARCH_STEPS) return
      if (j === n) {
        let weight = Infinity
        for (const c of chosen) weight = Math.min(weight, c.weight)
        out.push(merge(chosen, weight))
        return
      }
      if (j === fixed) {
        if (fits(j, b)) {
          chosen[j] = b
          search(j + 1, fixed, b)
        }
        return
      }
      const h = histories[j]!
      for (let i = h.length - 1; i >= 0; i--) {
        const candidate = h[i]!
        if (!fits(j, candidate)) continue
        chosen[j] = candidate
        search(j + 1, fixed, b)
        if (out.length >= this.combinationLimit) return
      }
    }
    freshes.forEach((list, i) => {
      for (const b of list) search(0, i, b)
    })
    return out
  }
}
