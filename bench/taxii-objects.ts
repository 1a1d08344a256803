/**
 * The objects the TAXII benchmark posts and preloads: a deterministic mix of SDOs, SROs and
 * SCOs (indicators, malware, threat actors, attack patterns, identities, relationships,
 * IPv4 addresses, domain names), every one valid STIX 2.1.
 */
import { scoId } from '../src/stix/sco-ids.js'

/** A valid version-4-shaped UUID unique to (run, n). */
export function uuidFor(run: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0')
  return `${run.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`
}

const baseMillis = Date.parse('2025-01-01T00:00:00.000Z')

/** Object `n` of run `run`: indicator 30%, malware, threat actor, relationship, SCOs, ... */
export function makeObject(run: number, n: number): Record<string, unknown> {
  const at = new Date(baseMillis + n * 1000 + run).toISOString()
  const common = { spec_version: '2.1', created: at, modified: at }
  const uuid = uuidFor(run, n)
  switch (n % 10) {
    case 0:
    case 2:
    case 9:
      return {
        type: 'indicator',
        id: `indicator--${uuid}`,
        ...common,
        name: `C2 address ${n}`,
        indicator_types: ['malicious-activity'],
        pattern: `[ipv4-addr:value = '10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}']`,
        pattern_type: 'stix',
        valid_from: at,
        labels: ['benchmark'],
      }
    case 1:
      return {
        type: 'malware',
        id: `malware--${uuid}`,
        ...common,
        name: `Family ${n}`,
        is_family: true,
        malware_types: ['ransomware'],
      }
    case 3:
      return {
        type: 'threat-actor',
        id: `threat-actor--${uuid}`,
        ...common,
        name: `Actor ${n}`,
        threat_actor_types: ['crime-syndicate'],
      }
    case 4:
      return {
        type: 'relationship',
        id: `relationship--${uuid}`,
        ...common,
        relationship_type: 'indicates',
        source_ref: `indicator--${uuidFor(run, n - 4)}`,
        target_ref: `malware--${uuidFor(run, n - 3)}`,
      }
    case 5: {
      const sco = {
        type: 'ipv4-addr',
        spec_version: '2.1',
        value: `${20 + run}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      }
      return { ...sco, id: scoId(sco) }
    }
    case 6:
      return {
        type: 'attack-pattern',
        id: `attack-pattern--${uuid}`,
        ...common,
        name: `Technique ${n}`,
        external_references: [{ source_name: 'capec', external_id: `CAPEC-${n}` }],
      }
    case 7: {
      const sco = { type: 'domain-name', spec_version: '2.1', value: `n${n}.r${run}.example.com` }
      return { ...sco, id: scoId(sco) }
    }
    default:
      return {
        type: 'identity',
        id: `identity--${uuid}`,
        ...common,
        name: `Organisation ${n}`,
        identity_class: 'organization',
      }
  }
}
