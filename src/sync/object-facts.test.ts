import { describe, expect, it } from 'vitest'
import { filterVerdict, referencedIds } from './object-facts.js'

const ID = (type: string, n: number): string =>
  `${type}--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const TLP_GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'

describe('referencedIds', () => {
  it('lists the ids of top-level _ref and _refs properties once, in order (STIX 2.1 section 3.2)', () => {
    const report = {
      type: 'report',
      id: ID('report', 1),
      created_by_ref: ID('identity', 2),
      object_refs: [ID('indicator', 3), ID('relationship', 4), ID('indicator', 3)],
      object_marking_refs: [ID('marking-definition', 5)],
    }
    expect(referencedIds(report)).toEqual([
      ID('identity', 2),
      ID('indicator', 3),
      ID('relationship', 4),
      ID('marking-definition', 5),
    ])
  })

  it('covers relationships and sightings', () => {
    expect(
      referencedIds({
        type: 'relationship',
        id: ID('relationship', 1),
        source_ref: ID('indicator', 2),
        target_ref: ID('malware', 3),
      }),
    ).toEqual([ID('indicator', 2), ID('malware', 3)])
    expect(
      referencedIds({
        type: 'sighting',
        id: ID('sighting', 1),
        sighting_of_ref: ID('indicator', 2),
        observed_data_refs: [ID('observed-data', 3)],
        where_sighted_refs: [ID('identity', 4)],
      }),
    ).toEqual([ID('indicator', 2), ID('observed-data', 3), ID('identity', 4)])
  })

  it('leaves out TLP marking definitions, the object itself, non-ids and nested properties', () => {
    expect(
      referencedIds({
        type: 'note',
        id: ID('note', 1),
        object_marking_refs: [TLP_GREEN],
        object_refs: [ID('note', 1), 'not an id', 42],
        extensions: { x: { thing_ref: ID('indicator', 9) } },
      }),
    ).toEqual([])
  })
})

describe('filterVerdict', () => {
  const object = { type: 'indicator', labels: ['apt', 'x'] }

  it('passes everything with an empty filter', () => {
    expect(filterVerdict({}, object, 'red')).toBeUndefined()
  })

  it('holds back other types (FILTER_TYPE)', () => {
    expect(filterVerdict({ types: ['malware'] }, object, 'clear')?.code).toBe('FILTER_TYPE')
    expect(filterVerdict({ types: ['indicator'] }, object, 'clear')).toBeUndefined()
  })

  it('needs one of the labels (FILTER_LABEL)', () => {
    expect(filterVerdict({ labels: ['crime'] }, object, 'clear')?.code).toBe('FILTER_LABEL')
    expect(filterVerdict({ labels: ['crime'] }, { type: 'indicator' }, 'clear')?.code).toBe(
      'FILTER_LABEL',
    )
    expect(filterVerdict({ labels: ['crime', 'apt'] }, object, 'clear')).toBeUndefined()
  })

  it('holds back a TLP above the ceiling (FILTER_TLP_CEILING)', () => {
    expect(filterVerdict({ tlpCeiling: 'green' }, object, 'amber')?.code).toBe('FILTER_TLP_CEILING')
    expect(filterVerdict({ tlpCeiling: 'green' }, object, 'green')).toBeUndefined()
    expect(filterVerdict({ tlpCeiling: 'green' }, object, 'clear')).toBeUndefined()
  })
})
