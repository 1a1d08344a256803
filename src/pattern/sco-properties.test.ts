import { describe, expect, it } from 'vitest'
import {
  HASH_ALGORITHMS,
  NON_SCO_TYPES,
  SCO_PROPERTIES,
  SCO_TYPE_NAMES,
  type PropertyType,
} from './sco-properties.js'

/** Every property type reachable from the tables, with the path that reaches it. */
function* walk(t: PropertyType, at: string): Generator<[string, PropertyType]> {
  yield [at, t]
  switch (t.kind) {
    case 'list':
      yield* walk(t.of, `${at}[*]`)
      return
    case 'object':
      for (const [name, p] of t.properties) yield* walk(p, `${at}.${name}`)
      return
    case 'extensions':
      for (const [name, p] of t.known) yield* walk(p, `${at}.'${name}'`)
      return
    case 'string':
    case 'integer':
    case 'float':
    case 'boolean':
    case 'timestamp':
    case 'binary':
    case 'hex':
    case 'hashes':
    case 'dictionary':
    case 'ref':
      return
  }
}

function all(): [string, PropertyType][] {
  const out: [string, PropertyType][] = []
  for (const [type, table] of SCO_PROPERTIES) {
    for (const [name, p] of table) out.push(...walk(p, `${type}:${name}`))
  }
  return out
}

describe('SCO_PROPERTIES (STIX 2.1 section 6)', () => {
  it('has a table for each of the 18 SCO types, in section order', () => {
    expect([...SCO_PROPERTIES.keys()]).toEqual(SCO_TYPE_NAMES)
    expect(SCO_TYPE_NAMES[0]).toBe('artifact')
    expect(SCO_TYPE_NAMES[17]).toBe('x509-certificate')
  })

  it('gives every SCO the common properties (section 3.2)', () => {
    for (const table of SCO_PROPERTIES.values()) {
      for (const common of ['type', 'id', 'spec_version', 'defanged', 'extensions']) {
        expect(table.has(common)).toBe(true)
      }
    }
  })

  it('lets references point only at SCO types', () => {
    for (const [at, t] of all()) {
      if (t.kind !== 'ref') continue
      for (const target of t.to) expect(SCO_TYPE_NAMES, at).toContain(target)
    }
  })

  it('names every _ref property as a reference and every _refs property as a list of them', () => {
    // Marking references point at marking definitions, which are not SCOs: plain identifiers.
    const markings = /(object_marking_refs|marking_ref)$/
    for (const [at, t] of all()) {
      if (markings.test(at)) continue
      if (at.endsWith('_ref')) expect(t.kind, at).toBe('ref')
      if (at.endsWith('_refs')) expect(t.kind === 'list' && t.of.kind, at).toBe('ref')
    }
  })

  it('types _hex and _bin properties as hex and binary (section 9.6.4)', () => {
    for (const [at, t] of all()) {
      if (at.endsWith('_hex')) expect(t.kind, at).toBe('hex')
      if (at.endsWith('_bin')) expect(t.kind, at).toBe('binary')
    }
  })

  it('defines the extensions of sections 6.7, 6.12, 6.13 and 6.16', () => {
    const extensionsOf = (type: string): string[] => {
      const t = SCO_PROPERTIES.get(type)?.get('extensions')
      return t?.kind === 'extensions' ? [...t.known.keys()] : []
    }
    expect(extensionsOf('file')).toEqual([
      'archive-ext',
      'ntfs-ext',
      'pdf-ext',
      'raster-image-ext',
      'windows-pebinary-ext',
    ])
    expect(extensionsOf('network-traffic')).toEqual([
      'http-request-ext',
      'icmp-ext',
      'socket-ext',
      'tcp-ext',
    ])
    expect(extensionsOf('process')).toEqual(['windows-process-ext', 'windows-service-ext'])
    expect(extensionsOf('user-account')).toEqual(['unix-account-ext'])
    expect(extensionsOf('url')).toEqual([])
  })

  it('keeps SCO and non-SCO type names apart', () => {
    for (const t of SCO_TYPE_NAMES) expect(NON_SCO_TYPES.has(t)).toBe(false)
  })

  it('lists hash-algorithm-ov with hex digest lengths (section 10.7)', () => {
    expect([...HASH_ALGORITHMS.keys()]).toEqual([
      'MD5',
      'SHA-1',
      'SHA-256',
      'SHA-512',
      'SHA3-256',
      'SHA3-512',
      'SSDEEP',
      'TLSH',
    ])
    expect(HASH_ALGORITHMS.get('SHA-256')).toBe(64)
  })
})
