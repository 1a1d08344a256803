import type { TlpLevel } from '../store/store.js'

/**
 * The fixed ids of the TLP marking definitions: TLP 1.0 from STIX 2.1 section 7.2.1.4 and
 * TLP 2.0 from the OASIS common objects (`tlp-2.0-objects.json`). TLP 1.0 WHITE is `clear`.
 */
const TLP_MARKINGS: ReadonlyMap<string, TlpLevel> = new Map<string, TlpLevel>([
  ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'clear'],
  ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green'],
  ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'amber'],
  ['marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red'],
  ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 'clear'],
  ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 'green'],
  ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 'amber'],
  ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 'amber+strict'],
  ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'red'],
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
