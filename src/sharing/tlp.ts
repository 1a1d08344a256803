import { tlpLevelOf } from '../stix/index.js'
import type { TlpLevel } from '../store/store.js'

/**
 * The TLP levels from least to most restrictive (issue 5; DESIGN.md, Sharing model). TLP 1.0
 * WHITE is read as CLEAR; TLP 1.0 GREEN, AMBER and RED as their TLP 2.0 namesakes.
 */
export const TLP_LEVELS: readonly TlpLevel[] = Object.freeze([
  'clear',
  'green',
  'amber',
  'amber+strict',
  'red',
])

/** The level the node assumes for an object with no TLP marking, unless configured otherwise. */
export const DEFAULT_NODE_TLP: TlpLevel = 'amber'

/** The position of `level` in {@link TLP_LEVELS}: 0 for `clear` up to 4 for `red`. */
export function tlpRank(level: TlpLevel): number {
  switch (level) {
    case 'clear':
      return 0
    case 'green':
      return 1
    case 'amber':
      return 2
    case 'amber+strict':
      return 3
    case 'red':
      return 4
  }
}

/** True when `value` is one of the five {@link TLP_LEVELS} (for configuration and CLI input). */
export function isTlpLevel(value: unknown): value is TlpLevel {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value)
}

/** The most restrictive of `levels`, or `undefined` when there are none. */
export function mostRestrictive(levels: Iterable<TlpLevel>): TlpLevel | undefined {
  let best: TlpLevel | undefined
  for (const level of levels) {
    if (best === undefined || tlpRank(level) > tlpRank(best)) best = level
  }
  return best
}

/**
 * The TLP level one marking-definition id stands for, or `undefined` when it is not one of the
 * nine well-known TLP 1.0 (STIX 2.1 section 7.2.1.4) and TLP 2.0 (OASIS common objects)
 * markings.
 */
export function tlpOfMarking(markingId: string): TlpLevel | undefined {
  const found = tlpLevelOf(markingId)
  if (found === undefined) return undefined
  if (found.version === 2) return found.level
  return found.level === 'white' ? 'clear' : found.level
}

/**
 * The TLP an object version declares in its `object_marking_refs`: the most restrictive TLP
 * marking among them (issue 5: "several → the most restrictive"), or `undefined` when none of
 * them is a TLP marking (other marking definitions, e.g. statements, do not count). This is
 * what a store row keeps as `tlp` (null there), so that the node default applies at read.
 */
export function declaredTlp(markingRefs: readonly string[]): TlpLevel | undefined {
  let best: TlpLevel | undefined
  for (const ref of markingRefs) {
    const level = tlpOfMarking(ref)
    if (level !== undefined && (best === undefined || tlpRank(level) > tlpRank(best))) {
      best = level
    }
  }
  return best
}

/**
 * The effective TLP of an object version from its `object_marking_refs` (issue 5): the
 * {@link declaredTlp}, else the node's default, AMBER unless configured.
 */
export function effectiveTlp(
  markingRefs: readonly string[],
  nodeDefault: TlpLevel = DEFAULT_NODE_TLP,
): TlpLevel {
  return declaredTlp(markingRefs) ?? nodeDefault
}
