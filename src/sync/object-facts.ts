/**
 * What the engine reads from a STIX object: the ids it references (for the dependency closure)
 * and the peer filter's verdict.
 */
import { tlpOfMarking } from '../sharing/tlp.js'
import type { PeerFilter } from '../store/peer-store.js'
import type { TlpLevel } from '../store/store.js'
import { tlpRank } from '../sharing/tlp.js'
import type { FilterCode } from './types.js'

const REF_ID = /^[a-z0-9][a-z0-9-]*--[0-9a-fA-F-]{36}$/

/**
 * The ids an object references through its top-level `*_ref` and `*_refs` properties
 * (`created_by_ref`, `object_marking_refs`, `object_refs`, `source_ref`, `target_ref`,
 * `sighting_of_ref`, `where_sighted_refs`... STIX 2.1 section 3.2 and the objects' own
 * sections), in order, each once, without the object itself. TLP marking definitions are left
 * out: they are well known (STIX 2.1 section 7.2.1.4) and need not travel.
 */
export function referencedIds(object: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const self = object['id']
  const add = (value: unknown): void => {
    if (typeof value !== 'string' || !REF_ID.test(value)) return
    if (value === self || seen.has(value)) return
    if (value.startsWith('marking-definition--') && tlpOfMarking(value) !== undefined) return
    seen.add(value)
    out.push(value)
  }
  for (const [key, value] of Object.entries(object)) {
    if (key.endsWith('_ref')) add(value)
    else if (key.endsWith('_refs') && Array.isArray(value)) {
      for (const item of value) add(item)
    }
  }
  return out
}

/** Why the peer filter holds a version back, or undefined when it passes. */
export function filterVerdict(
  filter: PeerFilter,
  object: Readonly<Record<string, unknown>>,
  tlp: TlpLevel,
): { code: FilterCode; reason: string } | undefined {
  const type = typeof object['type'] === 'string' ? object['type'] : ''
  if (filter.types !== undefined && filter.types.length > 0 && !filter.types.includes(type)) {
    return {
      code: 'FILTER_TYPE',
      reason: `type ${type} is not among the peer's filter types (${filter.types.join(', ')})`,
    }
  }
  if (filter.labels !== undefined && filter.labels.length > 0) {
    const labels = Array.isArray(object['labels']) ? (object['labels'] as unknown[]) : []
    if (!labels.some((label) => typeof label === 'string' && filter.labels?.includes(label))) {
      return {
        code: 'FILTER_LABEL',
        reason: `the object carries none of the peer's filter labels (${filter.labels.join(', ')})`,
      }
    }
  }
  if (filter.tlpCeiling !== undefined && tlpRank(tlp) > tlpRank(filter.tlpCeiling)) {
    return {
      code: 'FILTER_TLP_CEILING',
      reason: `TLP ${tlp} is above the peer's TLP ceiling ${filter.tlpCeiling}`,
    }
  }
  return undefined
}
