import { describe, expect, expectTypeOf, it } from 'vitest'
import { BUILDERS } from '../../test/fixtures/stix/builders.js'
import {
  type AnyStixObject,
  type File,
  type Indicator,
  type Malware,
  type MarkingDefinition,
  type Relationship,
  type StixCyberObservableObject,
  type StixDomainObject,
  type StixMetaObject,
  type StixObject,
  type StixRelationshipObject,
  SCO_TYPES,
  SDO_TYPES,
  META_TYPES,
  SRO_TYPES,
  stixCategory,
  validateStix,
} from './index.js'
import { definitionOf } from './validate.js'

describe('inferred types', () => {
  it('discriminates the unions by type', () => {
    expectTypeOf<StixDomainObject['type']>().toEqualTypeOf<(typeof SDO_TYPES)[number]>()
    expectTypeOf<StixRelationshipObject['type']>().toEqualTypeOf<(typeof SRO_TYPES)[number]>()
    expectTypeOf<StixCyberObservableObject['type']>().toEqualTypeOf<(typeof SCO_TYPES)[number]>()
    expectTypeOf<StixMetaObject['type']>().toEqualTypeOf<(typeof META_TYPES)[number]>()
    expectTypeOf<Extract<StixObject, { type: 'indicator' }>>().toEqualTypeOf<Indicator>()
    expectTypeOf<Extract<StixObject, { type: 'file' }>>().toEqualTypeOf<File>()
  })

  it('types required properties as required and optional ones as optional', () => {
    expectTypeOf<Indicator['pattern']>().toEqualTypeOf<string>()
    expectTypeOf<Indicator['valid_until']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<Malware['is_family']>().toEqualTypeOf<boolean>()
    expectTypeOf<Relationship['source_ref']>().toEqualTypeOf<string>()
    expectTypeOf<Indicator['spec_version']>().toEqualTypeOf<'2.1'>()
    expectTypeOf<File['spec_version']>().toEqualTypeOf<'2.1' | undefined>()
    expectTypeOf<Indicator['kill_chain_phases']>().toEqualTypeOf<
      { kill_chain_name: string; phase_name: string }[] | undefined
    >()
  })

  it('omits properties that do not apply to the family', () => {
    expectTypeOf<MarkingDefinition>().not.toHaveProperty('modified')
    expectTypeOf<File>().not.toHaveProperty('created')
    expectTypeOf<File>().toHaveProperty('defanged')
    expectTypeOf<Indicator>().not.toHaveProperty('defanged')
  })

  it('narrows a valid result to a STIX object', () => {
    const r = validateStix(BUILDERS['indicator']?.())
    if (r.ok) {
      expectTypeOf(r.object).toEqualTypeOf<AnyStixObject>()
    }
    expect(r.ok).toBe(true)
  })
})

describe('zod schemas agree with the validator tables', () => {
  it.each(Object.keys(BUILDERS))('the %s schema accepts the valid builder object', (type) => {
    const def = definitionOf(type)
    const object = BUILDERS[type]?.()
    expect(def?.schema.safeParse(object).success).toBe(true)
  })

  it.each(Object.keys(BUILDERS))('the %s schema rejects the object without its type', (type) => {
    const def = definitionOf(type)
    const object = { ...BUILDERS[type]?.(), type: undefined }
    expect(def?.schema.safeParse(object).success).toBe(false)
  })

  it('defines every type of the four families', () => {
    for (const t of [...SDO_TYPES, ...SRO_TYPES, ...SCO_TYPES, ...META_TYPES]) {
      expect(definitionOf(t)?.type).toBe(t)
      expect(stixCategory(t)).not.toBe('custom')
    }
    expect(SDO_TYPES).toHaveLength(19)
    expect(SRO_TYPES).toHaveLength(2)
    expect(SCO_TYPES).toHaveLength(18)
    expect(stixCategory('x-acme')).toBe('custom')
  })
})
