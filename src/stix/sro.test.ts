import { describe, expect, it } from 'vitest'
import {
  IDENTITY_ID,
  IPV4_ID,
  LOCATION_ID,
  makeRelationship,
  makeSighting,
  MALWARE_ID,
  OBSERVED_DATA_ID,
  TLP_GREEN_ID,
} from '../../test/fixtures/stix/builders.js'
import { findings } from '../../test/fixtures/stix/findings.js'
import { validateStix } from './index.js'

const check = (o: unknown): string[] => findings(validateStix(o))

describe('relationship (5.1)', () => {
  it.each(['relationship_type', 'source_ref', 'target_ref'])('requires %s', (key) => {
    expect(check(makeRelationship({ [key]: undefined }))).toEqual([
      `error required-property $.${key}`,
    ])
  })

  it('limits relationship_type to a-z, 0-9 and hyphen (5.1.2)', () => {
    expect(check(makeRelationship({ relationship_type: 'Indicates' }))).toEqual([
      'error relationship-type-format $.relationship_type',
    ])
    expect(check(makeRelationship({ relationship_type: 'x-acme-links' }))).toEqual([])
  })

  it('accepts SCOs and custom objects as endpoints', () => {
    expect(
      check(makeRelationship({ relationship_type: 'related-to', source_ref: IPV4_ID })),
    ).toEqual([])
    expect(
      check(
        makeRelationship({
          relationship_type: 'related-to',
          target_ref: 'x-acme-thing--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        }),
      ),
    ).toEqual([])
  })

  it('rejects SROs and meta objects as endpoints (5.1.2)', () => {
    expect(
      check(
        makeRelationship({
          relationship_type: 'related-to',
          source_ref: 'sighting--ee20065d-2555-424f-ad9e-0f8263de8c38',
        }),
      ),
    ).toEqual(['error reference-type $.source_ref'])
    expect(
      check(makeRelationship({ relationship_type: 'related-to', target_ref: TLP_GREEN_ID })),
    ).toEqual(['error reference-type $.target_ref'])
  })

  it('warns about a defined relationship type between types it is not defined for (5.1)', () => {
    expect(check(makeRelationship({ relationship_type: 'uses' }))).toEqual([
      'warning relationship-endpoints $.relationship_type',
    ])
    expect(
      check(makeRelationship({ relationship_type: 'based-on', target_ref: OBSERVED_DATA_ID })),
    ).toEqual([])
    expect(
      check(
        makeRelationship({
          source_ref: 'infrastructure--38c47d93-d984-4fd9-b87b-d69d0841628d',
          relationship_type: 'consists-of',
          target_ref: IPV4_ID,
        }),
      ),
    ).toEqual([])
  })

  it('warns when derived-from joins different types (3.7)', () => {
    expect(check(makeRelationship({ relationship_type: 'derived-from' }))).toEqual([
      'warning relationship-endpoints $.relationship_type',
    ])
    expect(
      check(
        makeRelationship({
          relationship_type: 'duplicate-of',
          source_ref: 'malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061',
        }),
      ),
    ).toEqual([])
    expect(
      check(makeRelationship({ relationship_type: 'related-to', source_ref: IPV4_ID })),
    ).toEqual([])
  })

  it('requires stop_time later than start_time', () => {
    const t = '2016-04-06T20:03:48.000Z'
    expect(check(makeRelationship({ start_time: t, stop_time: t }))).toEqual([
      'error timestamp-order $.stop_time',
    ])
  })
})

describe('sighting (5.2)', () => {
  it('requires sighting_of_ref to an SDO', () => {
    expect(check(makeSighting({ sighting_of_ref: undefined }))).toEqual([
      'error required-property $.sighting_of_ref',
    ])
    expect(check(makeSighting({ sighting_of_ref: IPV4_ID }))).toEqual([
      'error reference-type $.sighting_of_ref',
    ])
    expect(check(makeSighting({ sighting_of_ref: MALWARE_ID }))).toEqual([])
  })

  it('requires observed_data_refs to observed-data', () => {
    expect(check(makeSighting({ observed_data_refs: [OBSERVED_DATA_ID] }))).toEqual([])
    expect(check(makeSighting({ observed_data_refs: [IDENTITY_ID] }))).toEqual([
      'error reference-type $.observed_data_refs[0]',
    ])
  })

  it('requires where_sighted_refs to identity or location', () => {
    expect(check(makeSighting({ where_sighted_refs: [IDENTITY_ID, LOCATION_ID] }))).toEqual([])
    expect(check(makeSighting({ where_sighted_refs: [MALWARE_ID] }))).toEqual([
      'error reference-type $.where_sighted_refs[0]',
    ])
  })

  it('requires count between 0 and 999,999,999', () => {
    expect(check(makeSighting({ count: 0 }))).toEqual([])
    expect(check(makeSighting({ count: -1 }))).toEqual(['error integer-range $.count'])
  })

  it('requires last_seen >= first_seen', () => {
    expect(
      check(
        makeSighting({ first_seen: '2016-04-06T20:03:48Z', last_seen: '2016-04-06T20:03:47Z' }),
      ),
    ).toEqual(['error timestamp-order $.last_seen'])
  })

  it('types summary as a boolean (2.2)', () => {
    expect(check(makeSighting({ summary: true }))).toEqual([])
    expect(check(makeSighting({ summary: 'yes' }))).toEqual(['error property-type $.summary'])
  })
})
