/**
 * The relationships the specification defines between object types (STIX 2.1 Appendix B,
 * Relationship Summary Table): source type -> relationship type -> target types. `*sco`
 * stands for any SCO.
 */
export const SPEC_RELATIONSHIPS: Readonly<
  Record<string, Readonly<Record<string, readonly string[]>>>
> = {
  'attack-pattern': {
    delivers: ['malware'],
    targets: ['identity', 'location', 'vulnerability'],
    uses: ['malware', 'tool'],
  },
  campaign: {
    'attributed-to': ['intrusion-set', 'threat-actor'],
    compromises: ['infrastructure'],
    'originates-from': ['location'],
    targets: ['identity', 'location', 'vulnerability'],
    uses: ['attack-pattern', 'infrastructure', 'malware', 'tool'],
  },
  'course-of-action': {
    investigates: ['indicator'],
    mitigates: ['attack-pattern', 'indicator', 'malware', 'tool', 'vulnerability'],
    remediates: ['malware', 'vulnerability'],
  },
  'domain-name': {
    'resolves-to': ['domain-name', 'ipv4-addr', 'ipv6-addr'],
  },
  identity: {
    'located-at': ['location'],
  },
  indicator: {
    'based-on': ['observed-data'],
    indicates: [
      'attack-pattern',
      'campaign',
      'infrastructure',
      'intrusion-set',
      'malware',
      'threat-actor',
      'tool',
    ],
  },
  infrastructure: {
    'communicates-with': ['infrastructure', 'ipv4-addr', 'ipv6-addr', 'domain-name', 'url'],
    'consists-of': ['infrastructure', 'observed-data', '*sco'],
    controls: ['infrastructure', 'malware'],
    delivers: ['malware'],
    has: ['vulnerability'],
    hosts: ['tool', 'malware'],
    'located-at': ['location'],
    uses: ['infrastructure'],
  },
  'intrusion-set': {
    'attributed-to': ['threat-actor'],
    compromises: ['infrastructure'],
    hosts: ['infrastructure'],
    'originates-from': ['location'],
    owns: ['infrastructure'],
    targets: ['identity', 'location', 'vulnerability'],
    uses: ['attack-pattern', 'infrastructure', 'malware', 'tool'],
  },
  'ipv4-addr': {
    'belongs-to': ['autonomous-system'],
    'resolves-to': ['mac-addr'],
  },
  'ipv6-addr': {
    'belongs-to': ['autonomous-system'],
    'resolves-to': ['mac-addr'],
  },
  malware: {
    'authored-by': ['threat-actor', 'intrusion-set'],
    'beacons-to': ['infrastructure'],
    'communicates-with': ['ipv4-addr', 'ipv6-addr', 'domain-name', 'url'],
    controls: ['malware'],
    downloads: ['malware', 'tool', 'file'],
    drops: ['malware', 'tool', 'file'],
    'exfiltrates-to': ['infrastructure'],
    exploits: ['vulnerability'],
    'originates-from': ['location'],
    targets: ['identity', 'infrastructure', 'location', 'vulnerability'],
    uses: ['attack-pattern', 'infrastructure', 'malware', 'tool'],
    'variant-of': ['malware'],
  },
  'malware-analysis': {
    'av-analysis-of': ['malware'],
    characterizes: ['malware'],
    'dynamic-analysis-of': ['malware'],
    'static-analysis-of': ['malware'],
  },
  'threat-actor': {
    'attributed-to': ['identity'],
    compromises: ['infrastructure'],
    hosts: ['infrastructure'],
    impersonates: ['identity'],
    'located-at': ['location'],
    owns: ['infrastructure'],
    targets: ['identity', 'location', 'vulnerability'],
    uses: ['attack-pattern', 'infrastructure', 'malware', 'tool'],
  },
  tool: {
    delivers: ['malware'],
    drops: ['malware'],
    has: ['vulnerability'],
    targets: ['identity', 'infrastructure', 'location', 'vulnerability'],
    uses: ['infrastructure'],
  },
}

/** Relationship types every SDO and SCO may use (section 3.7). */
export const COMMON_RELATIONSHIP_TYPES = ['derived-from', 'duplicate-of', 'related-to'] as const

/** Every relationship type named in Appendix B. */
export const SPEC_RELATIONSHIP_TYPE_NAMES: ReadonlySet<string> = new Set(
  Object.values(SPEC_RELATIONSHIPS).flatMap((byType) => Object.keys(byType)),
)
