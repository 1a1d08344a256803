/**
 * The object type names STIX 2.1 defines, grouped the way the specification groups them.
 */

/** The 19 STIX Domain Object types (STIX 2.1 section 4). */
export const SDO_TYPES = [
  'attack-pattern',
  'campaign',
  'course-of-action',
  'grouping',
  'identity',
  'incident',
  'indicator',
  'infrastructure',
  'intrusion-set',
  'location',
  'malware',
  'malware-analysis',
  'note',
  'observed-data',
  'opinion',
  'report',
  'threat-actor',
  'tool',
  'vulnerability',
] as const

/** The 2 STIX Relationship Object types (STIX 2.1 section 5). */
export const SRO_TYPES = ['relationship', 'sighting'] as const

/** The 18 STIX Cyber-observable Object types (STIX 2.1 section 6). */
export const SCO_TYPES = [
  'artifact',
  'autonomous-system',
  'directory',
  'domain-name',
  'email-addr',
  'email-message',
  'file',
  'ipv4-addr',
  'ipv6-addr',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'url',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
] as const

/** The 3 STIX Meta Object types (STIX 2.1 section 7). */
export const META_TYPES = [
  'language-content',
  'marking-definition',
  'extension-definition',
] as const

/** A STIX Domain Object type name. */
export type SdoType = (typeof SDO_TYPES)[number]
/** A STIX Relationship Object type name. */
export type SroType = (typeof SRO_TYPES)[number]
/** A STIX Cyber-observable Object type name. */
export type ScoType = (typeof SCO_TYPES)[number]
/** A STIX Meta Object type name. */
export type MetaType = (typeof META_TYPES)[number]
/** Any object type name the specification defines. */
export type StixType = SdoType | SroType | ScoType | MetaType

/** Which family a type belongs to; `custom` for types the specification does not define. */
export type StixCategory = 'sdo' | 'sro' | 'sco' | 'meta' | 'custom'

const CATEGORY: ReadonlyMap<string, StixCategory> = new Map<string, StixCategory>([
  ...SDO_TYPES.map((t) => [t, 'sdo'] as const),
  ...SRO_TYPES.map((t) => [t, 'sro'] as const),
  ...SCO_TYPES.map((t) => [t, 'sco'] as const),
  ...META_TYPES.map((t) => [t, 'meta'] as const),
])

/**
 * The family of an object type: `sdo`, `sro`, `sco`, `meta`, or `custom` when the specification
 * does not define the type (a custom object, STIX 2.1 section 11.2, or an extension's new type).
 *
 * @example
 * stixCategory('ipv4-addr') // 'sco'
 */
export function stixCategory(type: string): StixCategory {
  return CATEGORY.get(type) ?? 'custom'
}

/** Whether the specification defines this object type (bundle excluded). */
export function isStixType(type: string): type is StixType {
  return CATEGORY.has(type)
}
