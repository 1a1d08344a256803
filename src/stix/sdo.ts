/**
 * The 19 STIX Domain Objects (STIX 2.1 section 4).
 *
 * Definitions (zod schema + validator table) behind the public types and `validateStix`; the
 * package exports the inferred types, not these values.
 *
 * @internal
 */
import { checkPatternFindings } from './pattern-check.js'
import { killChainPhases } from './common.js'
import { defineObject } from './define.js'
import {
  bool,
  checkOrder,
  enumOf,
  float,
  type Ctx,
  type Json,
  int,
  isJsonObject,
  list,
  ref,
  refs,
  report,
  req,
  requireOneOf,
  str,
  strList,
  ts,
  vocab,
  checkDictionaryShape,
  typeError,
} from './props.js'
import {
  ATTACK_MOTIVATION_OV,
  ATTACK_RESOURCE_LEVEL_OV,
  GROUPING_CONTEXT_OV,
  IDENTITY_CLASS_OV,
  IMPLEMENTATION_LANGUAGE_OV,
  INDICATOR_TYPE_OV,
  INDUSTRY_SECTOR_OV,
  INFRASTRUCTURE_TYPE_OV,
  MALWARE_CAPABILITIES_OV,
  MALWARE_RESULT_OV,
  MALWARE_TYPE_OV,
  OPINION_ENUM,
  PATTERN_TYPE_OV,
  PROCESSOR_ARCHITECTURE_OV,
  REGION_OV,
  REPORT_TYPE_OV,
  THREAT_ACTOR_ROLE_OV,
  THREAT_ACTOR_SOPHISTICATION_OV,
  THREAT_ACTOR_TYPE_OV,
  TOOL_TYPE_OV,
} from './vocabularies.js'
import { stixCategory } from './type-names.js'
import { z } from 'zod'

const seenOrder = (o: Json, ctx: Ctx, section: string): void => {
  checkOrder(o, ctx, 'first_seen', 'last_seen', false, section)
}

const objectRefs = req(refs({ family: 'any', label: 'a STIX object' }, '4'))

const softwareRef = ref({ types: ['software'], label: 'a software SCO' }, '4.11.1')

const CAPEC_ID = /^CAPEC-\d+$/
const CVE_ID = /^CVE-\d{4}-\d{4,}$/

/** `external_references` entries with `source_name` = `source` must carry a well-formed id. */
function externalIdRule(
  o: Json,
  ctx: Ctx,
  source: string,
  pattern: RegExp,
  form: string,
  section: string,
): void {
  const list = o['external_references']
  if (!Array.isArray(list)) return
  for (let i = 0; i < list.length; i++) {
    const r: unknown = list[i]
    if (!isJsonObject(r) || r['source_name'] !== source) continue
    const id = r['external_id']
    if (typeof id !== 'string' || !pattern.test(id)) {
      ctx.path.push('external_references', i, 'external_id')
      report(
        ctx,
        'error',
        'external-id-format',
        section,
        `a '${source}' external reference must have an 'external_id' like ${form}`,
      )
      ctx.path.length -= 3
    }
  }
}

/** Attack Pattern (section 4.1). */
export const attackPatternDefinition = defineObject(
  'attack-pattern',
  'sdo',
  '4.1',
  {
    name: req(str),
    description: str,
    aliases: strList,
    kill_chain_phases: killChainPhases,
  },
  { rules: (o, ctx) => externalIdRule(o, ctx, 'capec', CAPEC_ID, 'CAPEC-550', '4.1.1') },
)

/** Campaign (section 4.2). */
export const campaignDefinition = defineObject(
  'campaign',
  'sdo',
  '4.2',
  {
    name: req(str),
    description: str,
    aliases: strList,
    first_seen: ts,
    last_seen: ts,
    objective: str,
  },
  { rules: (o, ctx) => seenOrder(o, ctx, '4.2.1') },
)

/** Course of Action (section 4.3); `action` is reserved. */
export const courseOfActionDefinition = defineObject('course-of-action', 'sdo', '4.3', {
  name: req(str),
  description: str,
})

/** Grouping (section 4.4); `name` is optional in the published standard. */
export const groupingDefinition = defineObject('grouping', 'sdo', '4.4', {
  name: str,
  description: str,
  context: req(vocab(GROUPING_CONTEXT_OV, 'grouping-context-ov', '10.6')),
  object_refs: objectRefs,
})

/** Identity (section 4.5). */
export const identityDefinition = defineObject('identity', 'sdo', '4.5', {
  name: req(str),
  description: str,
  roles: strList,
  identity_class: vocab(IDENTITY_CLASS_OV, 'identity-class-ov', '10.8'),
  sectors: list(vocab(INDUSTRY_SECTOR_OV, 'industry-sector-ov', '10.11')),
  contact_information: str,
})

/** Incident (section 4.6). */
export const incidentDefinition = defineObject('incident', 'sdo', '4.6', {
  name: req(str),
  description: str,
  kill_chain_phases: killChainPhases,
})

function indicatorRules(o: Json, ctx: Ctx): void {
  checkOrder(o, ctx, 'valid_from', 'valid_until', true, '4.7.1')
  if (o['pattern_type'] === 'stix' && typeof o['pattern'] === 'string') {
    checkPatternFindings(o['pattern'], ctx)
  }
}

/** Indicator (section 4.7). */
export const indicatorDefinition = defineObject(
  'indicator',
  'sdo',
  '4.7',
  {
    name: str,
    description: str,
    indicator_types: list(vocab(INDICATOR_TYPE_OV, 'indicator-type-ov', '10.10')),
    pattern: req(str),
    pattern_type: req(vocab(PATTERN_TYPE_OV, 'pattern-type-ov', '10.19')),
    pattern_version: str,
    valid_from: req(ts),
    valid_until: ts,
    kill_chain_phases: killChainPhases,
  },
  { rules: indicatorRules },
)

/** Infrastructure (section 4.8). */
export const infrastructureDefinition = defineObject(
  'infrastructure',
  'sdo',
  '4.8',
  {
    name: req(str),
    description: str,
    infrastructure_types: list(vocab(INFRASTRUCTURE_TYPE_OV, 'infrastructure-type-ov', '10.12')),
    aliases: strList,
    kill_chain_phases: killChainPhases,
    first_seen: ts,
    last_seen: ts,
  },
  { rules: (o, ctx) => seenOrder(o, ctx, '4.8.1') },
)

const motivation = vocab(ATTACK_MOTIVATION_OV, 'attack-motivation-ov', '10.2')
const resourceLevel = vocab(ATTACK_RESOURCE_LEVEL_OV, 'attack-resource-level-ov', '10.3')

/** Intrusion Set (section 4.9). */
export const intrusionSetDefinition = defineObject(
  'intrusion-set',
  'sdo',
  '4.9',
  {
    name: req(str),
    description: str,
    aliases: strList,
    first_seen: ts,
    last_seen: ts,
    goals: strList,
    resource_level: resourceLevel,
    primary_motivation: motivation,
    secondary_motivations: list(motivation),
  },
  { rules: (o, ctx) => seenOrder(o, ctx, '4.9.1') },
)

function locationRules(o: Json, ctx: Ctx): void {
  const hasLat = o['latitude'] !== undefined
  const hasLong = o['longitude'] !== undefined
  if (hasLat !== hasLong) {
    report(
      ctx,
      'error',
      'property-dependency',
      '4.10.1',
      "'latitude' and 'longitude' must be given together",
      hasLat ? 'longitude' : 'latitude',
    )
  }
  if (o['precision'] !== undefined && !(hasLat && hasLong)) {
    report(
      ctx,
      'error',
      'property-dependency',
      '4.10.1',
      "'precision' requires both 'latitude' and 'longitude'",
      'precision',
    )
  }
  if (o['region'] === undefined && o['country'] === undefined && !(hasLat && hasLong)) {
    report(
      ctx,
      'error',
      'required-one-of',
      '4.10',
      "location must have 'region', 'country', or 'latitude' and 'longitude'",
    )
  }
}

/** Location (section 4.10). */
export const locationDefinition = defineObject(
  'location',
  'sdo',
  '4.10',
  {
    name: str,
    description: str,
    latitude: float(-90, 90, '4.10.1'),
    longitude: float(-180, 180, '4.10.1'),
    precision: float(undefined, undefined, '4.10.1'),
    region: vocab(REGION_OV, 'region-ov', '10.21'),
    country: str,
    administrative_area: str,
    city: str,
    street_address: str,
    postal_code: str,
  },
  { rules: locationRules },
)

function malwareRules(o: Json, ctx: Ctx): void {
  seenOrder(o, ctx, '4.11.1')
  if (o['is_family'] === true && o['name'] === undefined) {
    report(
      ctx,
      'error',
      'required-property',
      '4.11.1',
      "a malware family must have a 'name'",
      'name',
    )
  }
}

/** Malware (section 4.11); `is_family` is required in the published standard. */
export const malwareDefinition = defineObject(
  'malware',
  'sdo',
  '4.11',
  {
    name: str,
    description: str,
    malware_types: list(vocab(MALWARE_TYPE_OV, 'malware-type-ov', '10.15')),
    is_family: req(bool),
    aliases: strList,
    kill_chain_phases: killChainPhases,
    first_seen: ts,
    last_seen: ts,
    operating_system_refs: list(softwareRef),
    architecture_execution_envs: list(
      vocab(PROCESSOR_ARCHITECTURE_OV, 'processor-architecture-ov', '10.20'),
    ),
    implementation_languages: list(
      vocab(IMPLEMENTATION_LANGUAGE_OV, 'implementation-language-ov', '10.9'),
    ),
    capabilities: list(vocab(MALWARE_CAPABILITIES_OV, 'malware-capabilities-ov', '10.13')),
    sample_refs: refs({ types: ['file', 'artifact'], label: 'a file or artifact' }, '4.11.1'),
  },
  { rules: malwareRules },
)

/** Malware Analysis (section 4.12). */
export const malwareAnalysisDefinition = defineObject(
  'malware-analysis',
  'sdo',
  '4.12',
  {
    product: req(str),
    version: str,
    host_vm_ref: ref({ types: ['software'], label: 'a software SCO' }, '4.12.1'),
    operating_system_ref: ref({ types: ['software'], label: 'a software SCO' }, '4.12.1'),
    installed_software_refs: refs({ types: ['software'], label: 'a software SCO' }, '4.12.1'),
    configuration_version: str,
    modules: strList,
    analysis_engine_version: str,
    analysis_definition_version: str,
    submitted: ts,
    analysis_started: ts,
    analysis_ended: ts,
    result_name: str,
    result: vocab(MALWARE_RESULT_OV, 'malware-result-ov', '10.14'),
    analysis_sco_refs: refs({ family: 'sco', label: 'an SCO' }, '4.12.1'),
    sample_ref: ref({ family: 'sco', label: 'an SCO' }, '4.12.1'),
  },
  {
    rules: (o, ctx) => {
      requireOneOf(o, ctx, ['result', 'analysis_sco_refs'], '4.12', 'malware-analysis')
      checkOrder(o, ctx, 'analysis_started', 'analysis_ended', false, '4.12.1')
    },
  },
)

/** Note (section 4.13). */
export const noteDefinition = defineObject('note', 'sdo', '4.13', {
  abstract: str,
  content: req(str),
  authors: strList,
  object_refs: objectRefs,
})

function observedDataRules(o: Json, ctx: Ctx): void {
  checkOrder(o, ctx, 'first_observed', 'last_observed', false, '4.14.1')
  const hasObjects = o['objects'] !== undefined
  const hasRefs = o['object_refs'] !== undefined
  if (hasObjects && hasRefs) {
    report(
      ctx,
      'error',
      'mutually-exclusive',
      '4.14',
      "'objects' and 'object_refs' must not both be present",
      'objects',
    )
  } else if (!hasObjects && !hasRefs) {
    report(
      ctx,
      'error',
      'required-one-of',
      '4.14',
      "observed-data must have 'object_refs' (or the deprecated 'objects')",
    )
  }
  const list = o['object_refs']
  if (Array.isArray(list) && list.length > 0) {
    let sco = false
    for (const r of list) {
      if (typeof r !== 'string') continue
      const sep = r.indexOf('--')
      const c = stixCategory(sep > 0 ? r.slice(0, sep) : r)
      if (c === 'sco' || c === 'custom') {
        sco = true
        break
      }
    }
    if (!sco) {
      report(
        ctx,
        'error',
        'reference-type',
        '4.14.1',
        "'object_refs' must contain at least one SCO reference",
        'object_refs',
      )
    }
  }
}

/** The deprecated observable container (section 2.13): a dictionary of SCOs. */
const observableContainer = {
  zod: z.record(z.string(), z.record(z.string(), z.unknown())),
  required: false as const,
  check: (v: unknown, ctx: Ctx) => {
    report(
      ctx,
      'warning',
      'deprecated-property',
      '2.13',
      "'objects' (observable container) is deprecated; use 'object_refs'",
    )
    if (!checkDictionaryShape(v, ctx)) return
    for (const key in v) {
      const item = v[key]
      if (!isJsonObject(item) || typeof item['type'] !== 'string') {
        ctx.path.push(key)
        typeError(ctx, 'an SCO object with a "type"', item)
        ctx.path.pop()
      }
    }
  },
}

/** Observed Data (section 4.14). */
export const observedDataDefinition = defineObject(
  'observed-data',
  'sdo',
  '4.14',
  {
    first_observed: req(ts),
    last_observed: req(ts),
    number_observed: req(int(1, 999_999_999, '4.14.1')),
    objects: observableContainer,
    object_refs: refs({ family: 'sco-sro', label: 'an SCO or SRO' }, '4.14.1'),
  },
  { rules: observedDataRules },
)

/** Opinion (section 4.15). */
export const opinionDefinition = defineObject('opinion', 'sdo', '4.15', {
  explanation: str,
  authors: strList,
  opinion: req(enumOf(OPINION_ENUM, 'opinion-enum', '10.18')),
  object_refs: objectRefs,
})

/** Report (section 4.16). */
export const reportDefinition = defineObject('report', 'sdo', '4.16', {
  name: req(str),
  description: str,
  report_types: list(vocab(REPORT_TYPE_OV, 'report-type-ov', '10.22')),
  published: req(ts),
  object_refs: objectRefs,
})

/** Threat Actor (section 4.17). */
export const threatActorDefinition = defineObject(
  'threat-actor',
  'sdo',
  '4.17',
  {
    name: req(str),
    description: str,
    threat_actor_types: list(vocab(THREAT_ACTOR_TYPE_OV, 'threat-actor-type-ov', '10.23')),
    aliases: strList,
    first_seen: ts,
    last_seen: ts,
    roles: list(vocab(THREAT_ACTOR_ROLE_OV, 'threat-actor-role-ov', '10.24')),
    goals: strList,
    sophistication: vocab(
      THREAT_ACTOR_SOPHISTICATION_OV,
      'threat-actor-sophistication-ov',
      '10.25',
    ),
    resource_level: resourceLevel,
    primary_motivation: motivation,
    secondary_motivations: list(motivation),
    personal_motivations: list(motivation),
  },
  { rules: (o, ctx) => seenOrder(o, ctx, '4.17.1') },
)

/** Tool (section 4.18). */
export const toolDefinition = defineObject('tool', 'sdo', '4.18', {
  name: req(str),
  description: str,
  tool_types: list(vocab(TOOL_TYPE_OV, 'tool-type-ov', '10.26')),
  aliases: strList,
  kill_chain_phases: killChainPhases,
  tool_version: str,
})

/** Vulnerability (section 4.19). */
export const vulnerabilityDefinition = defineObject(
  'vulnerability',
  'sdo',
  '4.19',
  { name: req(str), description: str },
  { rules: (o, ctx) => externalIdRule(o, ctx, 'cve', CVE_ID, 'CVE-2016-1234', '4.19.1') },
)
