import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { findings } from '../../test/fixtures/stix/findings.js'
import { validateStix } from './index.js'

interface Example {
  line: number
  section: string
  object: Record<string, unknown>
}

/**
 * Every complete JSON object printed in the STIX 2.1 text (stix-v2.1.md), extracted with the
 * line it starts on. A few examples break the specification's own rules; each is listed here
 * with the findings the validator must give for it.
 */
const examples = JSON.parse(
  readFileSync(new URL('../../test/fixtures/stix/spec-examples.json', import.meta.url), 'utf8'),
) as Example[]

const SIMPLIFIED_ID = ['error identifier-format $.id']

const KNOWN_INVALID: Record<string, string[]> = {
  // 3.6.2 uses "example--1"-style ids, and says so ("a simplified format").
  ...Object.fromEntries(
    examples
      .filter((e) => e.section === '3.6.2' && e.object['type'] === 'example')
      .map((e) => [`${e.line} ${String(e.object['id'])}`, SIMPLIFIED_ID]),
  ),
  '1673 relationship--4': [
    'error required-property $.spec_version',
    'error identifier-format $.id',
    'error identifier-format $.source_ref',
    'error identifier-format $.target_ref',
  ],
  // 3.9.1: the id lacks one hyphen of the "--" separator.
  '1856 file-1389b98d-a3d3-5190-a996-716fd444059a': SIMPLIFIED_ID,
  // 4.16.2 and 8.2: truncated indicators without pattern_type (and valid_from).
  '5003 indicator--26ffb872-1dd9-446e-b6f5-d58527e5b5d2': [
    'error required-property $.pattern_type',
  ],
  '10686 indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f': [
    'error required-property $.pattern_type',
    'error required-property $.valid_from',
  ],
  // 6.1.1 and 12.7.3: payload_bin abbreviated with "..." is not base64.
  '6065 artifact--a785c567-cc53-52a1-abeb-026bb7ddf8ba': ['error binary-format $.payload_bin'],
  '6077 artifact--6be1fbcb-fd03-5ec3-b05f-4329746e9d2b': ['error binary-format $.payload_bin'],
  '14802 artifact--6be1fbcb-fd03-5ec3-b05f-4329746e9d2b': ['error binary-format $.payload_bin'],
  // 9.5: a pattern-matching illustration of observed-data without its common properties.
  '10914 observed-data--0960319a-3cab-4258-a143-4dbb25525bb1': [
    'error required-property $.spec_version',
    'error required-property $.created',
    'error required-property $.modified',
  ],
  // 12.7.3: "property_extension" with an underscore is not in extension-type-enum.
  '14862 marking-definition--7adc34dc-f5c7-4b7c-a7da-28fc4dd716cc': [
    'error enum-value $.extensions.extension-definition--9ef47f81-1443-4632-8497-8b2878f8ac21.extension_type',
  ],
}

describe('examples printed in the STIX 2.1 specification', () => {
  it('holds examples of every family', () => {
    const types = new Set(examples.map((e) => e.object['type']))
    expect(examples.length).toBeGreaterThan(150)
    for (const t of [
      'indicator',
      'relationship',
      'sighting',
      'ipv4-addr',
      'network-traffic',
      'marking-definition',
      'extension-definition',
      'language-content',
    ]) {
      expect(types.has(t)).toBe(true)
    }
  })

  it.each(examples.map((e) => [`${e.line} ${String(e.object['id'])}`, e] as const))(
    'line %s gives exactly the expected errors',
    (key, example) => {
      const errors = findings(validateStix(example.object)).filter((f) => f.startsWith('error'))
      expect(errors).toEqual(KNOWN_INVALID[key] ?? [])
    },
  )

  it('lists only known-invalid examples that exist', () => {
    const keys = new Set(examples.map((e) => `${e.line} ${String(e.object['id'])}`))
    for (const key of Object.keys(KNOWN_INVALID)) expect(keys.has(key)).toBe(true)
  })
})
