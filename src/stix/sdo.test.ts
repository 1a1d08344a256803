import { describe, expect, it } from 'vitest'
import {
  IPV4_ID,
  makeAttackPattern,
  makeCampaign,
  makeCourseOfAction,
  makeGrouping,
  makeIdentity,
  makeIncident,
  makeIndicator,
  makeInfrastructure,
  makeIntrusionSet,
  makeLocation,
  makeMalware,
  makeMalwareAnalysis,
  makeNote,
  makeObservedData,
  makeOpinion,
  makeReport,
  makeThreatActor,
  makeTool,
  makeVulnerability,
  SOFTWARE_ID,
} from '../../test/fixtures/stix/builders.js'
import { findings } from '../../test/fixtures/stix/findings.js'
import { validateStix } from './index.js'

const check = (o: unknown): string[] => findings(validateStix(o))

describe('attack-pattern (4.1)', () => {
  it('requires name', () => {
    expect(check(makeAttackPattern({ name: undefined }))).toEqual([
      'error required-property $.name',
    ])
  })

  it('requires CAPEC ids in the form CAPEC-[id] (4.1.1)', () => {
    expect(
      check(
        makeAttackPattern({ external_references: [{ source_name: 'capec', external_id: '163' }] }),
      ),
    ).toEqual(['error external-id-format $.external_references[0].external_id'])
  })
})

describe('campaign (4.2)', () => {
  it('requires last_seen >= first_seen', () => {
    expect(check(makeCampaign({ last_seen: '2016-04-06T20:03:47.999Z' }))).toEqual([
      'error timestamp-order $.last_seen',
    ])
    expect(check(makeCampaign({ last_seen: '2016-04-06T20:03:48Z' }))).toEqual([])
  })
})

describe('course-of-action (4.3)', () => {
  it('reports the reserved action property (3.8)', () => {
    expect(check(makeCourseOfAction({ action: 'x' }))).toEqual(['error reserved-property $.action'])
  })
})

describe('grouping (4.4)', () => {
  it('accepts a grouping without name (optional in the published standard)', () => {
    expect(check(makeGrouping({ name: undefined }))).toEqual([])
  })

  it('requires context and a non-empty object_refs', () => {
    expect(check(makeGrouping({ context: undefined }))).toEqual([
      'error required-property $.context',
    ])
    expect(check(makeGrouping({ object_refs: [] }))).toEqual(['error empty-list $.object_refs'])
  })

  it('warns about a context outside grouping-context-ov', () => {
    expect(check(makeGrouping({ context: 'Something Else' }))).toEqual([
      'warning open-vocab $.context',
    ])
  })
})

describe('identity (4.5)', () => {
  it('warns about sectors outside industry-sector-ov', () => {
    expect(check(makeIdentity({ sectors: ['technology', 'space-mining'] }))).toEqual([
      'warning open-vocab $.sectors[1]',
    ])
  })
})

describe('incident (4.6)', () => {
  it('requires name', () => {
    expect(check(makeIncident({ name: undefined }))).toEqual(['error required-property $.name'])
  })
})

describe('indicator (4.7)', () => {
  it.each(['pattern', 'pattern_type', 'valid_from'])('requires %s', (key) => {
    expect(check(makeIndicator({ [key]: undefined }))).toEqual([`error required-property $.${key}`])
  })

  it('cites the type section for a missing property', () => {
    expect(validateStix(makeIndicator({ pattern: undefined })).issues[0]?.section).toBe('4.7')
  })

  it('requires valid_until to be later than valid_from', () => {
    expect(check(makeIndicator({ valid_until: '2016-01-01T00:00:00.000Z' }))).toEqual([
      'error timestamp-order $.valid_until',
    ])
    expect(check(makeIndicator({ valid_until: '2016-01-01T00:00:00.001Z' }))).toEqual([])
  })

  it('warns about pattern types outside pattern-type-ov', () => {
    expect(check(makeIndicator({ pattern_type: 'regex', pattern: '.*' }))).toEqual([
      'warning open-vocab $.pattern_type',
    ])
  })

  it('reports STIX pattern syntax errors at $.pattern with line and column (9)', () => {
    const r = validateStix(makeIndicator({ pattern: "[ file:name = 'x' " }))
    expect(r.ok).toBe(false)
    const issue = r.issues.find((i) => i.path[0] === 'pattern')
    expect(issue?.severity).toBe('error')
    expect(issue?.message).toMatch(/line 1, column \d+/)
  })

  it('does not parse patterns of other languages', () => {
    expect(check(makeIndicator({ pattern_type: 'snort', pattern: 'alert tcp any any' }))).toEqual(
      [],
    )
  })
})

describe('infrastructure (4.8)', () => {
  it('requires last_seen >= first_seen', () => {
    expect(
      check(
        makeInfrastructure({
          first_seen: '2016-04-06T20:03:48Z',
          last_seen: '2016-04-05T20:03:48Z',
        }),
      ),
    ).toEqual(['error timestamp-order $.last_seen'])
  })
})

describe('intrusion-set (4.9)', () => {
  it('warns about motivations outside attack-motivation-ov', () => {
    expect(
      check(makeIntrusionSet({ primary_motivation: 'fun', secondary_motivations: ['revenge'] })),
    ).toEqual(['warning open-vocab $.primary_motivation'])
  })
})

describe('location (4.10)', () => {
  it('accepts latitude and longitude alone', () => {
    expect(
      check(
        makeLocation({
          region: undefined,
          country: undefined,
          latitude: 48.8566,
          longitude: 2.3522,
        }),
      ),
    ).toEqual([])
  })

  it('requires region, country, or latitude and longitude', () => {
    expect(check(makeLocation({ region: undefined, country: undefined, city: 'Paris' }))).toEqual([
      'error required-one-of $',
    ])
  })

  it('requires latitude and longitude together, and both for precision', () => {
    expect(check(makeLocation({ latitude: 10 }))).toEqual(['error property-dependency $.longitude'])
    expect(check(makeLocation({ precision: 10 }))).toEqual([
      'error property-dependency $.precision',
    ])
  })

  it('checks latitude and longitude ranges', () => {
    expect(check(makeLocation({ latitude: 90.5, longitude: 0 }))).toEqual([
      'error number-range $.latitude',
    ])
    expect(check(makeLocation({ latitude: 0, longitude: -180.1 }))).toEqual([
      'error number-range $.longitude',
    ])
  })
})

describe('malware (4.11)', () => {
  it('requires is_family (published standard)', () => {
    expect(check(makeMalware({ is_family: undefined }))).toEqual([
      'error required-property $.is_family',
    ])
  })

  it('requires a name for a family', () => {
    expect(check(makeMalware({ name: undefined }))).toEqual(['error required-property $.name'])
    expect(check(makeMalware({ name: undefined, is_family: false }))).toEqual([])
  })

  it('requires operating_system_refs to point to software', () => {
    expect(check(makeMalware({ operating_system_refs: [SOFTWARE_ID, IPV4_ID] }))).toEqual([
      'error reference-type $.operating_system_refs[1]',
    ])
  })

  it('requires sample_refs to point to file or artifact', () => {
    expect(check(makeMalware({ sample_refs: [IPV4_ID] }))).toEqual([
      'error reference-type $.sample_refs[0]',
    ])
  })
})

describe('malware-analysis (4.12)', () => {
  it('requires result or analysis_sco_refs', () => {
    expect(check(makeMalwareAnalysis({ result: undefined }))).toEqual(['error required-one-of $'])
    expect(check(makeMalwareAnalysis({ result: undefined, analysis_sco_refs: [IPV4_ID] }))).toEqual(
      [],
    )
  })

  it('requires host_vm_ref to be software', () => {
    expect(check(makeMalwareAnalysis({ host_vm_ref: IPV4_ID }))).toEqual([
      'error reference-type $.host_vm_ref',
    ])
  })
})

describe('note (4.13)', () => {
  it('requires content and object_refs', () => {
    expect(check(makeNote({ content: undefined }))).toEqual(['error required-property $.content'])
    expect(check(makeNote({ object_refs: undefined }))).toEqual([
      'error required-property $.object_refs',
    ])
  })
})

describe('observed-data (4.14)', () => {
  it('requires number_observed between 1 and 999,999,999', () => {
    expect(check(makeObservedData({ number_observed: 0 }))).toEqual([
      'error integer-range $.number_observed',
    ])
    expect(check(makeObservedData({ number_observed: 1_000_000_000 }))).toEqual([
      'error integer-range $.number_observed',
    ])
  })

  it('requires last_observed >= first_observed', () => {
    expect(check(makeObservedData({ last_observed: '2015-12-21T18:59:59Z' }))).toEqual([
      'error timestamp-order $.last_observed',
    ])
  })

  it('requires object_refs or objects, not both', () => {
    expect(check(makeObservedData({ object_refs: undefined }))).toEqual(['error required-one-of $'])
    expect(
      check(makeObservedData({ objects: { '0': { type: 'ipv4-addr', value: '10.0.0.1' } } })),
    ).toEqual(['warning deprecated-property $.objects', 'error mutually-exclusive $.objects'])
  })

  it('requires at least one SCO in object_refs', () => {
    expect(
      check(
        makeObservedData({ object_refs: ['relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad'] }),
      ),
    ).toEqual(['error reference-type $.object_refs'])
  })

  it('rejects SDOs in object_refs', () => {
    expect(
      check(
        makeObservedData({
          object_refs: [IPV4_ID, 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff'],
        }),
      ),
    ).toEqual(['error reference-type $.object_refs[1]'])
  })
})

describe('opinion (4.15)', () => {
  it('requires a value from opinion-enum', () => {
    expect(check(makeOpinion({ opinion: 'maybe' }))).toEqual(['error enum-value $.opinion'])
  })
})

describe('report (4.16)', () => {
  it('requires published', () => {
    expect(check(makeReport({ published: undefined }))).toEqual([
      'error required-property $.published',
    ])
  })

  it('warns about report types outside report-type-ov', () => {
    expect(check(makeReport({ report_types: ['Weekly'] }))).toEqual([
      'warning open-vocab $.report_types[0]',
    ])
  })
})

describe('threat-actor (4.17)', () => {
  it('requires name and warns about sophistication outside the vocabulary', () => {
    expect(check(makeThreatActor({ name: undefined }))).toEqual(['error required-property $.name'])
    expect(check(makeThreatActor({ sophistication: 'l33t' }))).toEqual([
      'warning open-vocab $.sophistication',
    ])
  })
})

describe('tool (4.18)', () => {
  it('warns about tool types outside tool-type-ov', () => {
    expect(check(makeTool({ tool_types: ['hammer'] }))).toEqual([
      'warning open-vocab $.tool_types[0]',
    ])
  })
})

describe('vulnerability (4.19)', () => {
  it('requires the exact CVE identifier when source_name is cve (4.19.1)', () => {
    expect(
      check(
        makeVulnerability({
          external_references: [{ source_name: 'cve', external_id: 'cve-2016-1234' }],
        }),
      ),
    ).toEqual(['error external-id-format $.external_references[0].external_id'])
  })
})
