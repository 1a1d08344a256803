import type { TlpLevel } from '../store/store.js'

import {
  TLP1_AMBER_ID,
  TLP1_GREEN_ID,
  TLP1_RED_ID,
  TLP1_WHITE_ID,
  TLP2_AMBER_ID,
  TLP2_AMBER_STRICT_ID,
  TLP2_CLEAR_ID,
  TLP2_GREEN_ID,
  TLP2_RED_ID,
} from '../stix/index.js'

/** The level of each TLP 1.0 and 2.0 marking definition id; TLP 1.0 WHITE is `clear`. */
const TLP_MARKINGS: ReadonlyMap<string, TlpLevel> = new Map<string, TlpLevel>([
  [TLP1_WHITE_ID, 'clear'],
  [TLP1_GREEN_ID, 'green'],
  [TLP1_AMBER_ID, 'amber'],
  [TLP1_RED_ID, 'red'],
  [TLP2_CLEAR_ID, 'clear'],
  [TLP2_GREEN_ID, 'green'],
  [TLP2_AMBER_ID, 'amber'],
  [TLP2_AMBER_STRICT_ID, 'amber+strict'],
  [TLP2_RED_ID, 'red'],
])

const RESTRICTIVENESS: Record<TlpLevel, number> = {
  clear: 0,
  green: 1,
  amber: 2,
  'amber+strict': 3,
  red: 4,
}

/** The most restrictive TLP level among the marking refs, or null when none is a TLP marking. */
export function tlpFromMarkings(markingRefs: readonly string[]): TlpLevel | null {
  let best: TlpLevel | null = null
  for (const ref of markingRefs) {
    const level = TLP_MARKINGS.get(ref)
    if (level !== undefined && (best === null || RESTRICTIVENESS[level] > RESTRICTIVENESS[best])) {
      best = level
    }
  }
  return best
}
