import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
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
import type { TlpLevel } from '../store/store.js'
import {
  DEFAULT_NODE_TLP,
  TLP_LEVELS,
  declaredTlp,
  effectiveTlp,
  isTlpLevel,
  mostRestrictive,
  tlpOfMarking,
  tlpRank,
} from './tlp.js'

const STATEMENT = 'marking-definition--0a8d34b1-1f70-4e04-9b7e-6b1c3b6f3b63'

describe('TLP_LEVELS and tlpRank', () => {
  it('orders the levels least to most restrictive (issue 5, DESIGN.md Sharing model)', () => {
    expect(TLP_LEVELS).toEqual(['clear', 'green', 'amber', 'amber+strict', 'red'])
    expect(TLP_LEVELS.map(tlpRank)).toEqual([0, 1, 2, 3, 4])
  })

  it('recognises exactly the five levels', () => {
    for (const level of TLP_LEVELS) expect(isTlpLevel(level)).toBe(true)
    for (const other of ['white', 'AMBER', 'amber-strict', '', 3, null]) {
      expect(isTlpLevel(other)).toBe(false)
    }
  })
})

describe('tlpOfMarking', () => {
  it('reads the TLP 2.0 markings published by OASIS', () => {
    expect(tlpOfMarking(TLP2_CLEAR_ID)).toBe('clear')
    expect(tlpOfMarking(TLP2_GREEN_ID)).toBe('green')
    expect(tlpOfMarking(TLP2_AMBER_ID)).toBe('amber')
    expect(tlpOfMarking(TLP2_AMBER_STRICT_ID)).toBe('amber+strict')
    expect(tlpOfMarking(TLP2_RED_ID)).toBe('red')
  })

  it('reads TLP 1.0 (STIX 2.1 section 7.2.1.4), WHITE as CLEAR', () => {
    expect(tlpOfMarking(TLP1_WHITE_ID)).toBe('clear')
    expect(tlpOfMarking(TLP1_GREEN_ID)).toBe('green')
    expect(tlpOfMarking(TLP1_AMBER_ID)).toBe('amber')
    expect(tlpOfMarking(TLP1_RED_ID)).toBe('red')
  })

  it('returns undefined for other marking definitions', () => {
    expect(tlpOfMarking(STATEMENT)).toBeUndefined()
    expect(tlpOfMarking(TLP2_AMBER_ID.toUpperCase())).toBeUndefined()
  })

  it('agrees with the OASIS TLP 2.0 objects (test/fixtures/stix/tlp-2.0-objects.json)', async () => {
    const { readFile } = await import('node:fs/promises')
    const bundle = JSON.parse(
      await readFile(
        new URL('../../test/fixtures/stix/tlp-2.0-objects.json', import.meta.url),
        'utf8',
      ),
    ) as { objects: Array<Record<string, unknown>> }
    const markings = bundle.objects.filter((o) => o['type'] === 'marking-definition')
    expect(markings.length).toBeGreaterThan(0)
    for (const m of markings) {
      const ext = (m['extensions'] as Record<string, { tlp_2_0: string }>)[
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'
      ]
      expect(tlpOfMarking(String(m['id']))).toBe(ext?.tlp_2_0)
    }
  })
})

describe('mostRestrictive', () => {
  it('returns undefined for no levels', () => {
    expect(mostRestrictive([])).toBeUndefined()
  })

  it('picks the highest rank, whatever the order', () => {
    expect(mostRestrictive(['green', 'red', 'clear'])).toBe('red')
    expect(mostRestrictive(['amber+strict', 'amber'])).toBe('amber+strict')
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TLP_LEVELS), { minLength: 1 }), (levels) => {
        const best = mostRestrictive(levels)
        expect(best).toBeDefined()
        expect(levels).toContain(best)
        for (const level of levels) expect(tlpRank(level)).toBeLessThanOrEqual(tlpRank(best!))
        expect(mostRestrictive([...levels].reverse())).toBe(best)
      }),
    )
  })
})

describe('effectiveTlp', () => {
  it('takes the most restrictive of several TLP markings, across TLP 1.0 and 2.0 (issue 5)', () => {
    expect(effectiveTlp([TLP1_WHITE_ID, TLP2_GREEN_ID])).toBe('green')
    expect(effectiveTlp([TLP2_AMBER_STRICT_ID, TLP1_AMBER_ID, STATEMENT])).toBe('amber+strict')
    expect(effectiveTlp([TLP1_RED_ID, TLP2_CLEAR_ID])).toBe('red')
  })

  it('declares nothing when no TLP marking is present (the store keeps null)', () => {
    expect(declaredTlp([])).toBeUndefined()
    expect(declaredTlp([STATEMENT])).toBeUndefined()
    expect(declaredTlp([STATEMENT, TLP1_GREEN_ID])).toBe('green')
  })

  it('falls back to AMBER when no TLP marking is present and no default is configured', () => {
    expect(DEFAULT_NODE_TLP).toBe('amber')
    expect(effectiveTlp([])).toBe('amber')
    expect(effectiveTlp([STATEMENT])).toBe('amber')
  })

  it('falls back to the configured node default, and ignores it when a TLP marking exists', () => {
    expect(effectiveTlp([], 'green')).toBe('green')
    expect(effectiveTlp([STATEMENT], 'red')).toBe('red')
    expect(effectiveTlp([TLP2_CLEAR_ID], 'red')).toBe('clear')
  })

  it('is the maximum of the markings\u2019 levels for any list (property)', () => {
    const byId: Array<[string, TlpLevel]> = [
      [TLP1_WHITE_ID, 'clear'],
      [TLP1_GREEN_ID, 'green'],
      [TLP1_AMBER_ID, 'amber'],
      [TLP1_RED_ID, 'red'],
      [TLP2_CLEAR_ID, 'clear'],
      [TLP2_GREEN_ID, 'green'],
      [TLP2_AMBER_ID, 'amber'],
      [TLP2_AMBER_STRICT_ID, 'amber+strict'],
      [TLP2_RED_ID, 'red'],
    ]
    const ref = fc.oneof(
      fc.constantFrom(...byId.map(([id]) => id)),
      fc.uuid().map((u) => `marking-definition--${u}`),
    )
    fc.assert(
      fc.property(fc.array(ref), fc.constantFrom(...TLP_LEVELS), (refs, fallback) => {
        const levels = refs.flatMap((r) => byId.filter(([id]) => id === r).map(([, l]) => l))
        const expected =
          levels.length === 0 ? fallback : TLP_LEVELS[Math.max(...levels.map(tlpRank))]
        expect(effectiveTlp(refs, fallback)).toBe(expected)
        expect(declaredTlp(refs)).toBe(levels.length === 0 ? undefined : expected)
      }),
    )
  })
})
