import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  IDENTITY_ID,
  makeExtensionDefinition,
  makeIdentity,
  makeLanguageContent,
  makeMarkingDefinition,
} from '../../test/fixtures/stix/builders.js'
import { findings } from '../../test/fixtures/stix/findings.js'
import {
  TLP1_AMBER_ID,
  TLP1_GREEN_ID,
  TLP1_MARKINGS,
  TLP1_RED_ID,
  TLP1_WHITE_ID,
  TLP2_AMBER_ID,
  TLP2_AMBER_STRICT_ID,
  TLP2_CLEAR_ID,
  TLP2_EXTENSION_DEFINITION,
  TLP2_EXTENSION_ID,
  TLP2_GREEN_ID,
  TLP2_MARKINGS,
  TLP2_RED_ID,
  tlpLevelOf,
  validateBundle,
  validateStix,
} from './index.js'

const check = (o: unknown): string[] => findings(validateStix(o))

describe('marking-definition (7.2.1)', () => {
  it('requires definition_type and definition without extensions', () => {
    expect(check(makeMarkingDefinition({ definition_type: undefined }))).toEqual([
      'error required-property $.definition_type',
    ])
    expect(check(makeMarkingDefinition({ definition: undefined }))).toEqual([
      'error required-property $.definition',
    ])
  })

  it('requires statement in a statement marking', () => {
    expect(check(makeMarkingDefinition({ definition: { text: 'x' } }))).toEqual([
      'error required-property $.definition.statement',
    ])
  })

  it('forbids modified, revoked and labels (not versioned)', () => {
    expect(check(makeMarkingDefinition({ modified: '2016-04-06T20:03:48.000Z' }))).toEqual([
      'error property-not-applicable $.modified',
    ])
    expect(check(makeMarkingDefinition({ labels: ['x'] }))).toEqual([
      'error property-not-applicable $.labels',
    ])
  })

  it('accepts the four TLP 1.0 markings exactly as printed', () => {
    for (const m of Object.values(TLP1_MARKINGS)) expect(check(m)).toEqual([])
    expect(tlpLevelOf(TLP1_WHITE_ID)).toEqual({ version: 1, level: 'white' })
    expect([TLP1_GREEN_ID, TLP1_AMBER_ID, TLP1_RED_ID].map((id) => tlpLevelOf(id)?.level)).toEqual([
      'green',
      'amber',
      'red',
    ])
  })

  it('rejects any other TLP 1.0 marking instance', () => {
    expect(check({ ...TLP1_MARKINGS.green, definition: { tlp: 'red' } })).toEqual([
      'error tlp-marking-not-standard $',
    ])
    expect(
      check(
        makeMarkingDefinition({
          definition_type: 'tlp',
          definition: { tlp: 'green' },
          name: 'TLP:GREEN',
        }),
      ),
    ).toEqual(['error tlp-marking-not-standard $'])
  })

  it('matches the TLP 2.0 objects published by OASIS', () => {
    const bundle = JSON.parse(
      readFileSync(
        new URL('../../test/fixtures/stix/tlp-2.0-objects.json', import.meta.url),
        'utf8',
      ),
    ) as { objects: Record<string, unknown>[] }
    const [ext, ...markings] = bundle.objects
    expect(ext).toEqual(TLP2_EXTENSION_DEFINITION)
    expect(markings).toEqual([
      TLP2_MARKINGS.clear,
      TLP2_MARKINGS.green,
      TLP2_MARKINGS.amber,
      TLP2_MARKINGS['amber+strict'],
      TLP2_MARKINGS.red,
    ])
    expect(findings(validateBundle(bundle))).toEqual([])
    expect(
      [TLP2_CLEAR_ID, TLP2_GREEN_ID, TLP2_AMBER_ID, TLP2_AMBER_STRICT_ID, TLP2_RED_ID].map(
        (id) => tlpLevelOf(id)?.level,
      ),
    ).toEqual(['clear', 'green', 'amber', 'amber+strict', 'red'])
  })

  it('reports an unknown TLP 2.0 level and warns about a home-made TLP 2.0 marking', () => {
    const ext = (level: string): Record<string, unknown> => ({
      [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level },
    })
    expect(check({ ...TLP2_MARKINGS.red, extensions: ext('purple') })).toEqual([
      `error enum-value $.extensions.${TLP2_EXTENSION_ID}.tlp_2_0`,
    ])
    expect(
      check(
        makeMarkingDefinition({
          definition_type: undefined,
          definition: undefined,
          extensions: ext('red'),
        }),
      ),
    ).toEqual([`warning tlp-marking-not-standard $.extensions.${TLP2_EXTENSION_ID}`])
  })
})

describe('language-content (7.1)', () => {
  it('requires object_ref and contents', () => {
    expect(check(makeLanguageContent({ object_ref: undefined }))).toEqual([
      'error required-property $.object_ref',
    ])
    expect(check(makeLanguageContent({ contents: undefined }))).toEqual([
      'error required-property $.contents',
    ])
  })

  it('requires RFC 5646 keys and non-empty translations in contents', () => {
    expect(check(makeLanguageContent({ contents: { 'not a lang': { name: 'x' } } }))).toEqual([
      'error dictionary-key $.contents["not a lang"]',
      'error language-tag $.contents["not a lang"]',
    ])
    expect(check(makeLanguageContent({ contents: { de: {} } }))).toEqual([
      'error empty-dictionary $.contents.de',
    ])
  })

  it('forbids lang (7.1.1)', () => {
    expect(check(makeLanguageContent({ lang: 'en' }))).toEqual([
      'error property-not-applicable $.lang',
    ])
  })
})

describe('extension-definition (7.3)', () => {
  it('requires created_by_ref, name, schema, version and extension_types', () => {
    for (const key of ['created_by_ref', 'name', 'schema', 'version', 'extension_types']) {
      expect(check(makeExtensionDefinition({ [key]: undefined }))).toEqual([
        `error required-property $.${key}`,
      ])
    }
  })

  it('requires extension types from extension-type-enum', () => {
    expect(check(makeExtensionDefinition({ extension_types: ['new-sdo', 'new-thing'] }))).toEqual([
      'error enum-value $.extension_types[1]',
    ])
  })

  it('allows extension_properties only with toplevel-property-extension', () => {
    expect(check(makeExtensionDefinition({ extension_properties: ['rank'] }))).toEqual([
      'error property-dependency $.extension_properties',
    ])
    expect(
      check(
        makeExtensionDefinition({
          extension_types: ['toplevel-property-extension'],
          extension_properties: ['rank'],
        }),
      ),
    ).toEqual([])
    expect(
      check(makeExtensionDefinition({ extension_types: ['toplevel-property-extension'] })),
    ).toEqual(['warning recommended-property $'])
  })

  it('forbids extensions on an extension-definition', () => {
    expect(check(makeExtensionDefinition({ extensions: { 'x-acme-ext': { a_b: 1 } } }))).toEqual([
      'error property-not-applicable $.extensions',
    ])
  })
})

describe('custom objects (11.2) and new object types (7.3)', () => {
  const custom = (o: Record<string, unknown>): Record<string, unknown> => ({
    type: 'x-example-com-customobject',
    id: 'x-example-com-customobject--4527e5de-8572-446a-a57a-706f15467461',
    created: '2016-08-01T00:00:00.000Z',
    modified: '2016-08-01T00:00:00.000Z',
    some_custom_stuff: 14,
    ...o,
  })

  it('accepts a custom object with common-property checks only', () => {
    expect(check(custom({}))).toEqual([])
    expect(check(custom({ created_by_ref: IDENTITY_ID, confidence: 300 }))).toEqual([
      'error integer-range $.confidence',
    ])
  })

  it.each(['X-Foo', 'x--foo', 'xy', 'x_foo', '1-foo'])('reports the type name %s', (type) => {
    expect(check(custom({ type, id: `${type}--4527e5de-8572-446a-a57a-706f15467461` }))).toEqual([
      'error custom-object-type $.type',
    ])
  })

  it('warns about a type without x- unless an extension declares it', () => {
    const id = 'my-favorite-sdo--ac97aae4-83f1-46ca-a351-7aeb76678189'
    expect(check(custom({ type: 'my-favorite-sdo', id }))).toEqual([
      'warning custom-object-prefix $.type',
    ])
    expect(
      check(
        custom({
          type: 'my-favorite-sdo',
          id,
          extensions: {
            'extension-definition--9c59fd79-4215-4ba2-920d-3e4f320e1e62': {
              extension_type: 'new-sdo',
            },
          },
        }),
      ),
    ).toEqual([])
  })

  it('requires the id prefix to match and at least one property', () => {
    expect(check(custom({ id: 'x-other--4527e5de-8572-446a-a57a-706f15467461' }))).toEqual([
      'error identifier-type $.id',
    ])
    expect(check({ type: 'x-empty', id: 'x-empty--4527e5de-8572-446a-a57a-706f15467461' })).toEqual(
      ['error at-least-one-property $'],
    )
  })

  it('reports a bad custom property name on a custom object', () => {
    expect(check(custom({ 'Bad-Name': 1 }))).toEqual(['error custom-property-name $.Bad-Name'])
  })

  it('reports a custom object with modified before created', () => {
    expect(check(custom({ modified: '2016-07-01T00:00:00.000Z' }))).toEqual([
      'error timestamp-order $.modified',
    ])
  })

  it('accepts the identity that created it', () => {
    expect(check(makeIdentity())).toEqual([])
  })
})
