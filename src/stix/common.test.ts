import { describe, expect, it } from 'vitest'
import {
  BUILDERS,
  makeFile,
  makeIdentity,
  makeIndicator,
  makeIpv4Addr,
  makeMalware,
  makeMarkingDefinition,
  makeNetworkTraffic,
  TLP_GREEN_ID,
} from '../../test/fixtures/stix/builders.js'
import { findings } from '../../test/fixtures/stix/findings.js'
import { validateStix } from './index.js'

describe('builders', () => {
  it.each(Object.keys(BUILDERS))('builds a valid %s without findings', (type) => {
    const build = BUILDERS[type]
    if (build === undefined) throw new Error(type)
    const result = validateStix(build())
    expect(findings(result)).toEqual([])
    expect(result.ok).toBe(true)
  })
})

describe('validateStix: input shape', () => {
  it('reports a non-object input without throwing', () => {
    expect(findings(validateStix('indicator'))).toEqual(['error not-an-object $'])
    expect(findings(validateStix(null))).toEqual(['error not-an-object $'])
    expect(findings(validateStix([makeIndicator()]))).toEqual(['error not-an-object $'])
  })

  it('reports a missing type (3.2)', () => {
    expect(findings(validateStix({ id: 'x' }))).toEqual(['error required-property $.type'])
  })

  it('reports a non-string type', () => {
    expect(findings(validateStix({ type: 7 }))).toEqual(['error property-type $.type'])
  })

  it('names the object id and section on every finding', () => {
    const r = validateStix(makeIndicator({ valid_from: 'yesterday' }))
    expect(r.ok).toBe(false)
    expect(r.issues[0]).toMatchObject({
      objectId: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      section: '2.16',
      path: ['valid_from'],
    })
    expect(r.issues[0]?.message).toContain('yesterday')
  })

  it('collects every finding instead of stopping at the first', () => {
    const r = validateStix(makeIndicator({ created: 'x', valid_from: 'y', pattern_type: 5 }))
    expect(findings(r)).toEqual([
      'error timestamp-format $.created',
      'error property-type $.pattern_type',
      'error timestamp-format $.valid_from',
    ])
  })
})

describe('required and not-applicable properties (3.1, 3.2)', () => {
  it.each(['type', 'spec_version', 'id', 'created', 'modified'])(
    'reports an SDO without %s',
    (key) => {
      const r = validateStix(makeIdentity({ [key]: undefined }))
      if (key === 'type') expect(findings(r)).toEqual(['error required-property $.type'])
      else expect(findings(r)).toEqual([`error required-property $.${key}`])
    },
  )

  it('reports defanged on an SDO (3.2: SCOs only)', () => {
    expect(findings(validateStix(makeIdentity({ defanged: true })))).toEqual([
      'error property-not-applicable $.defanged',
    ])
  })

  it('accepts an SCO without spec_version (optional for SCOs)', () => {
    expect(validateStix(makeIpv4Addr({ spec_version: undefined })).ok).toBe(true)
  })

  it('reports labels on an SCO and warns on versioning properties (3.2, 3.6)', () => {
    expect(findings(validateStix(makeIpv4Addr({ labels: ['a'] })))).toEqual([
      'error property-not-applicable $.labels',
    ])
    expect(findings(validateStix(makeIpv4Addr({ created: '2016-04-06T20:03:48.000Z' })))).toEqual([
      'warning property-not-applicable $.created',
    ])
  })
})

describe('spec_version (3.2)', () => {
  it('requires "2.1" on SDOs', () => {
    expect(findings(validateStix(makeIdentity({ spec_version: '2.0' })))).toEqual([
      'error spec-version $.spec_version',
    ])
  })

  it('requires "2.1" on SCOs when present', () => {
    expect(findings(validateStix(makeIpv4Addr({ spec_version: 2.1 })))).toEqual([
      'error spec-version $.spec_version',
    ])
  })
})

describe('identifiers (2.9)', () => {
  it('reports an id without a UUID', () => {
    expect(findings(validateStix(makeIdentity({ id: 'identity--1' })))).toEqual([
      'error identifier-format $.id',
    ])
  })

  it('reports an id whose prefix is not the type', () => {
    expect(
      findings(
        validateStix(makeIdentity({ id: 'indicator--f431f809-377b-45e0-aa1c-6a4751cae5ff' })),
      ),
    ).toEqual(['error identifier-type $.id'])
  })

  it('reports a UUID that is not RFC 4122 (variant bits)', () => {
    expect(
      findings(
        validateStix(makeIdentity({ id: 'identity--f431f809-377b-45e0-ca1c-6a4751cae5ff' })),
      ),
    ).toEqual(['error identifier-format $.id'])
  })

  it('warns when an SDO id is not UUIDv4 (SHOULD)', () => {
    expect(
      findings(
        validateStix(makeIdentity({ id: 'identity--f431f809-377b-15e0-aa1c-6a4751cae5ff' })),
      ),
    ).toEqual(['warning uuid-version $.id'])
  })

  it('warns when an SCO id is not UUIDv5 (SHOULD)', () => {
    expect(
      findings(
        validateStix(makeIpv4Addr({ id: 'ipv4-addr--ff26c055-6336-4bc5-b98d-13d6226742dd' })),
      ),
    ).toEqual(['warning uuid-version $.id'])
  })

  it('accepts UUIDv4 for process, which has no ID contributing properties', () => {
    expect(findings(validateStix(BUILDERS['process']?.() ?? {}))).toEqual([])
  })
})

describe('timestamps (2.16, 3.2)', () => {
  it.each([
    '2016-04-06 20:03:48.000Z',
    '2016-04-06T20:03:48.000+00:00',
    '2016-04-06T20:03:48.000',
    '2016-02-30T20:03:48.000Z',
    '2016-04-06T24:03:48.000Z',
    '2016-04-06T20:03:48.Z',
    '2016-4-6T20:03:48.000Z',
  ])('reports %s as malformed', (value) => {
    expect(findings(validateStix(makeIndicator({ valid_from: value })))).toEqual([
      'error timestamp-format $.valid_from',
    ])
  })

  it('accepts a leap day and nanosecond precision', () => {
    expect(validateStix(makeIndicator({ valid_from: '2016-02-29T00:00:00.123456789Z' })).ok).toBe(
      true,
    )
  })

  it('requires millisecond precision on created and modified', () => {
    expect(findings(validateStix(makeIdentity({ modified: '2016-04-06T20:03:48Z' })))).toEqual([
      'error timestamp-precision $.modified',
    ])
    expect(
      findings(
        validateStix(
          makeIdentity({ created: '2016-04-06T20:03:48.1Z', modified: '2016-04-06T20:03:48.100Z' }),
        ),
      ),
    ).toEqual(['error timestamp-precision $.created'])
  })

  it('reports modified earlier than created (3.6.1)', () => {
    expect(findings(validateStix(makeIdentity({ modified: '2016-04-06T20:03:47.999Z' })))).toEqual([
      'error timestamp-order $.modified',
    ])
  })

  it('compares timestamps of different precision by value', () => {
    expect(
      validateStix(
        makeIdentity({
          created: '2016-04-06T20:03:48.000Z',
          modified: '2016-04-06T20:03:48.0000001Z',
        }),
      ).ok,
    ).toBe(true)
  })
})

describe('common property types (3.2)', () => {
  it('reports confidence out of 0-100', () => {
    expect(findings(validateStix(makeIdentity({ confidence: 101 })))).toEqual([
      'error integer-range $.confidence',
    ])
    expect(findings(validateStix(makeIdentity({ confidence: 5.5 })))).toEqual([
      'error property-type $.confidence',
    ])
  })

  it('reports revoked that is not a boolean', () => {
    expect(findings(validateStix(makeIdentity({ revoked: 'true' })))).toEqual([
      'error property-type $.revoked',
    ])
  })

  it('reports empty and mistyped labels (2.12)', () => {
    expect(findings(validateStix(makeIdentity({ labels: [] })))).toEqual([
      'error empty-list $.labels',
    ])
    expect(findings(validateStix(makeIdentity({ labels: ['a', 3] })))).toEqual([
      'error property-type $.labels[1]',
    ])
  })

  it('reports a lang that is not an RFC 5646 tag', () => {
    expect(findings(validateStix(makeIdentity({ lang: 'english!' })))).toEqual([
      'error language-tag $.lang',
    ])
    expect(validateStix(makeIdentity({ lang: 'zh-Hant-TW' })).ok).toBe(true)
  })

  it('reports created_by_ref to a non-identity (3.2)', () => {
    expect(
      findings(
        validateStix(
          makeIdentity({ created_by_ref: 'tool--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }),
        ),
      ),
    ).toEqual(['error reference-type $.created_by_ref'])
  })

  it('reports object_marking_refs to a non marking-definition (3.2)', () => {
    expect(
      findings(
        validateStix(
          makeIdentity({
            object_marking_refs: [TLP_GREEN_ID, 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff'],
          }),
        ),
      ),
    ).toEqual(['error reference-type $.object_marking_refs[1]'])
  })

  it('reports a null property value', () => {
    expect(findings(validateStix(makeIdentity({ description: null })))).toEqual([
      'error property-type $.description',
    ])
  })
})

describe('external references (2.5)', () => {
  it('requires source_name', () => {
    expect(
      findings(validateStix(makeIdentity({ external_references: [{ external_id: 'x' }] }))),
    ).toEqual(['error required-property $.external_references[0].source_name'])
  })

  it('requires one of description, url, external_id (2.5.2)', () => {
    expect(
      findings(validateStix(makeIdentity({ external_references: [{ source_name: 'x' }] }))),
    ).toEqual(['error required-one-of $.external_references[0]'])
  })

  it('warns when a url has no hashes (SHOULD)', () => {
    expect(
      findings(
        validateStix(
          makeIdentity({ external_references: [{ source_name: 'x', url: 'https://example.com' }] }),
        ),
      ),
    ).toEqual(['warning external-reference-hashes $.external_references[0].url'])
  })
})

describe('kill chain phases (2.11)', () => {
  it('requires both names', () => {
    expect(
      findings(validateStix(makeMalware({ kill_chain_phases: [{ kill_chain_name: 'x' }] }))),
    ).toEqual(['error required-property $.kill_chain_phases[0].phase_name'])
  })

  it('warns about uppercase or spaces (SHOULD)', () => {
    expect(
      findings(
        validateStix(
          makeMalware({
            kill_chain_phases: [{ kill_chain_name: 'Mitre ATT&CK', phase_name: 'recon' }],
          }),
        ),
      ),
    ).toEqual(['warning kill-chain-phase-format $.kill_chain_phases[0].kill_chain_name'])
  })
})

describe('hashes (2.7)', () => {
  it('reports a value of the wrong length for a known algorithm', () => {
    expect(findings(validateStix(makeFile({ hashes: { 'SHA-256': 'abcd' } })))).toEqual([
      'error hash-value $.hashes.SHA-256',
    ])
    expect(
      findings(validateStix(makeFile({ hashes: { MD5: 'zz73a88f65a5e780c8dff9cdc3a056f3' } }))),
    ).toEqual(['error hash-value $.hashes.MD5'])
  })

  it('accepts SSDEEP and TLSH digests', () => {
    const r = validateStix(
      makeFile({
        hashes: {
          SSDEEP: '96:Vb0DxSLuAQ2PCpAFbqXdPIYU3cEQYx+CmvYtz:VgM2ScFbM1bb2cmvn',
          TLSH: 'T1' + 'A2C1F0B6D5B6E0E2F1C2A7B1E3C9A6B9F8D5A8C6E0B3F1A9E2D4C7B5A3F6E1D0C9B8A7',
        },
      }),
    )
    expect(findings(r)).toEqual([])
  })

  it('warns about an algorithm outside hash-algorithm-ov and a misspelled one', () => {
    expect(findings(validateStix(makeFile({ hashes: { x_foo_hash: 'aaaa' } })))).toEqual([
      'warning hash-algorithm $.hashes.x_foo_hash',
    ])
    expect(
      findings(
        validateStix(
          makeFile({
            hashes: { sha256: 'fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db' },
          }),
        ),
      ),
    ).toEqual(['warning hash-algorithm $.hashes.sha256'])
  })

  it('reports keys shorter than 3 characters and empty hashes', () => {
    expect(findings(validateStix(makeFile({ hashes: { ab: 'x' } })))).toEqual([
      'error dictionary-key $.hashes.ab',
      'warning hash-algorithm $.hashes.ab',
    ])
    expect(findings(validateStix(makeFile({ hashes: {} })))).toEqual([
      'error empty-dictionary $.hashes',
    ])
  })
})

describe('granular markings (7.2.3)', () => {
  const marked = (gm: unknown[]): Record<string, unknown> =>
    makeIndicator({ description: 'd', labels: ['a', 'b'], granular_markings: gm })

  it('accepts selectors that resolve in the object', () => {
    const r = validateStix(
      marked([{ marking_ref: TLP_GREEN_ID, selectors: ['description', 'labels.[1]', 'labels'] }]),
    )
    expect(findings(r)).toEqual([])
  })

  it('accepts a lang marking', () => {
    expect(validateStix(marked([{ lang: 'de', selectors: ['description'] }])).ok).toBe(true)
  })

  it('requires exactly one of marking_ref and lang', () => {
    expect(findings(validateStix(marked([{ selectors: ['description'] }])))).toEqual([
      'error granular-marking-choice $.granular_markings[0]',
    ])
    expect(
      findings(
        validateStix(
          marked([{ lang: 'en', marking_ref: TLP_GREEN_ID, selectors: ['description'] }]),
        ),
      ),
    ).toEqual(['error granular-marking-choice $.granular_markings[0]'])
  })

  it.each([
    ['pattern_version', 'not present'],
    ['labels.[2]', 'beyond the end'],
    ['description.[0]', 'not a list'],
    ['labels.name', 'not an object'],
    ['labels[0]', 'malformed'],
    ['description.', 'empty component'],
  ])('reports selector %s that does not resolve', (selector, words) => {
    const r = validateStix(marked([{ marking_ref: TLP_GREEN_ID, selectors: ['name', selector] }]))
    expect(findings(r)).toEqual([
      'error granular-marking-selector $.granular_markings[0].selectors[1]',
    ])
    expect(r.issues[0]?.message).toContain(words)
  })

  it('reports a marking_ref that is not a marking-definition', () => {
    expect(
      findings(
        validateStix(
          marked([
            { marking_ref: 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff', selectors: ['name'] },
          ]),
        ),
      ),
    ).toEqual(['error reference-type $.granular_markings[0].marking_ref'])
  })

  it('reports a marking definition that marks itself (3.2)', () => {
    const id = 'marking-definition--a3bf6a9c-2a8d-4b28-8a4c-0e5f2d1e9f31'
    expect(findings(validateStix(makeMarkingDefinition({ object_marking_refs: [id] })))).toEqual([
      'error circular-marking $.object_marking_refs',
    ])
  })
})

describe('custom properties (11.1) and reserved names (3.8)', () => {
  it('accepts x_ prefixed custom properties', () => {
    expect(findings(validateStix(makeIdentity({ x_acme_org_risk_score: 10 })))).toEqual([])
  })

  it('warns about custom properties without the x_ prefix', () => {
    expect(findings(validateStix(makeIdentity({ acme_score: 10 })))).toEqual([
      'warning custom-property-prefix $.acme_score',
    ])
  })

  it.each(['Score', 'x-score', 'ab', 'x'.repeat(251), '_x_score', '1score'])(
    'reports the custom property name %s',
    (name) => {
      expect(findings(validateStix(makeIdentity({ [name]: 1 })))).toEqual([
        `error custom-property-name $${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`,
      ])
    },
  )

  it.each(['severity', 'username', 'phone_number', 'action'])('reports reserved %s', (name) => {
    expect(findings(validateStix(makeIdentity({ [name]: 'x' })))).toEqual([
      `error reserved-property $.${name}`,
    ])
  })

  it('reports custom properties when they are not allowed', () => {
    const r = validateStix(makeIdentity({ x_acme: 1 }), { allowCustomProperties: false })
    expect(findings(r)).toEqual(['error custom-property $.x_acme'])
    expect(r.ok).toBe(false)
  })

  it('reports _hex and _bin custom properties that do not hold hex or base64', () => {
    expect(findings(validateStix(makeIdentity({ x_flags_hex: 'XYZ' })))).toEqual([
      'error hex-format $.x_flags_hex',
    ])
    expect(findings(validateStix(makeIdentity({ x_blob_bin: 'a' })))).toEqual([
      'error binary-format $.x_blob_bin',
    ])
  })

  it('turns warnings into errors when strict', () => {
    const r = validateStix(makeIdentity({ acme_score: 10 }), { strict: true })
    expect(findings(r)).toEqual(['error custom-property-prefix $.acme_score'])
    expect(r.ok).toBe(false)
  })
})

describe('extensions (3.2, 3.10, 7.3, 11.3)', () => {
  const EXT = 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e'

  it('accepts a property-extension with extension_type', () => {
    const r = validateStix(
      makeIndicator({ extensions: { [EXT]: { extension_type: 'property-extension', rank: 5 } } }),
    )
    expect(findings(r)).toEqual([])
  })

  it('requires extension_type on extension-definition extensions (7.3)', () => {
    expect(findings(validateStix(makeIndicator({ extensions: { [EXT]: { rank: 5 } } })))).toEqual([
      `error extension-type-missing $.extensions.${EXT}`,
    ])
  })

  it('reports an extension_type outside extension-type-enum', () => {
    expect(
      findings(
        validateStix(
          makeIndicator({ extensions: { [EXT]: { extension_type: 'property_extension' } } }),
        ),
      ),
    ).toEqual([`error enum-value $.extensions.${EXT}.extension_type`])
  })

  it('reports new-sdo on a type STIX already defines (7.3)', () => {
    expect(
      findings(
        validateStix(makeIndicator({ extensions: { [EXT]: { extension_type: 'new-sdo' } } })),
      ),
    ).toEqual([`error extension-type-mismatch $.extensions.${EXT}.extension_type`])
  })

  it('reports extension property names breaking 7.3.2', () => {
    expect(
      findings(
        validateStix(
          makeIndicator({
            extensions: { [EXT]: { extension_type: 'property-extension', Rank: 1 } },
          }),
        ),
      ),
    ).toEqual([`error extension-property-name $.extensions.${EXT}.Rank`])
  })

  it('lets a toplevel-property-extension add unprefixed properties', () => {
    const r = validateStix(
      makeIndicator({
        rank: 5,
        extensions: { [EXT]: { extension_type: 'toplevel-property-extension' } },
      }),
    )
    expect(findings(r)).toEqual([])
  })

  it('reports an extension key that is neither an id nor a custom SCO extension on an SDO', () => {
    expect(
      findings(validateStix(makeIndicator({ extensions: { 'x-acme-ext': { foo: 1 } } }))),
    ).toEqual(['error extension-name $.extensions.x-acme-ext'])
  })

  it('validates a predefined extension on its SCO', () => {
    expect(
      findings(validateStix(makeFile({ extensions: { 'ntfs-ext': { sid: '1234567' } } }))),
    ).toEqual([])
    expect(findings(validateStix(makeFile({ extensions: { 'ntfs-ext': {} } })))).toEqual([
      'error at-least-one-property $.extensions.ntfs-ext',
    ])
  })

  it('reports a predefined extension on the wrong SCO type (3.10)', () => {
    expect(
      findings(validateStix(makeNetworkTraffic({ extensions: { 'ntfs-ext': { sid: '1' } } }))),
    ).toEqual(['error extension-not-allowed $.extensions.ntfs-ext'])
  })

  it('accepts a custom SCO extension ending in -ext and warns without x- (11.3)', () => {
    expect(
      findings(validateStix(makeFile({ extensions: { 'x-acme-ext': { foo_val: 'foo' } } }))),
    ).toEqual([])
    expect(
      findings(validateStix(makeFile({ extensions: { 'acme-ext': { foo_val: 'foo' } } }))),
    ).toEqual(['warning custom-extension-prefix $.extensions.acme-ext'])
  })

  it('reports a custom SCO extension whose name does not end in -ext or is empty', () => {
    expect(
      findings(validateStix(makeFile({ extensions: { 'x-acme': { foo_val: 'foo' } } }))),
    ).toEqual(['error extension-name $.extensions.x-acme'])
    expect(findings(validateStix(makeFile({ extensions: { 'x-acme-ext': {} } })))).toEqual([
      'error at-least-one-property $.extensions.x-acme-ext',
    ])
  })

  it('reports an extension-definition key without a UUID', () => {
    expect(
      findings(
        validateStix(
          makeIndicator({
            extensions: { 'extension-definition--1': { extension_type: 'property-extension' } },
          }),
        ),
      ),
    ).toEqual(['error identifier-format $.extensions.extension-definition--1'])
  })

  it('accepts toplevel extension properties when custom properties are not allowed', () => {
    const r = validateStix(
      makeIndicator({
        rank: 5,
        extensions: { [EXT]: { extension_type: 'toplevel-property-extension' } },
      }),
      { allowCustomProperties: false },
    )
    expect(findings(r)).toEqual([])
  })

  it('reports an empty extensions dictionary (2.3)', () => {
    expect(findings(validateStix(makeFile({ extensions: {} })))).toEqual([
      'error empty-dictionary $.extensions',
    ])
  })
})

describe('messages', () => {
  it('cuts long values and never serializes objects', () => {
    const r = validateStix(makeIndicator({ valid_from: 'x'.repeat(10_000) }))
    expect(r.issues[0]?.message.length).toBeLessThan(200)
    const circular: Record<string, unknown> = {}
    circular['self'] = circular
    expect(findings(validateStix(makeIdentity({ spec_version: circular })))).toEqual([
      'error spec-version $.spec_version',
    ])
  })
})
