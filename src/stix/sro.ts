/**
 * The STIX Relationship Objects (STIX 2.1 section 5).
 *
 * Definitions (zod schema + validator table) behind the public types and `validateStix`; the
 * package exports the inferred types, not these values.
 *
 * @internal
 */
import { z } from 'zod'
import { defineObject } from './define.js'
import { isRelationshipType } from './formats.js'
import {
  bool,
  checkOrder,
  here,
  int,
  ref,
  refs,
  report,
  req,
  str,
  ts,
  typeError,
  type Ctx,
  type Json,
  type Prop,
  show,
} from './props.js'
import { SPEC_RELATIONSHIP_TYPE_NAMES, SPEC_RELATIONSHIPS } from './relationship-types.js'
import { isStixType, stixCategory } from './type-names.js'

const relationshipType: Prop<z.ZodString, false> = {
  zod: z.string(),
  required: false,
  check: (v, ctx) => {
    if (typeof v !== 'string') typeError(ctx, 'a string', v)
    else if (!isRelationshipType(v)) {
      report(
        ctx,
        'error',
        'relationship-type-format',
        '5.1.2',
        `${here(ctx)} must use only a-z, 0-9 and '-', not ${show(v)}`,
      )
    }
  },
}

const sdoOrSco = { family: 'sdo-sco', label: 'an SDO or SCO' } as const

function typeOfRef(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  const sep = v.indexOf('--')
  return sep > 0 ? v.slice(0, sep) : undefined
}

/**
 * SHOULD rules on relationship endpoints: `derived-from` and `duplicate-of` join objects of
 * the same type (3.7), and a relationship type the specification defines is used between the
 * types it is defined for (5.1, Appendix B). Other relationship types MAY be any string.
 */
function checkRelationshipEndpoints(o: Json, ctx: Ctx): void {
  const rt = o['relationship_type']
  if (typeof rt !== 'string' || rt === 'related-to') return
  const source = typeOfRef(o['source_ref'])
  const target = typeOfRef(o['target_ref'])
  if (source === undefined || target === undefined) return
  if (rt === 'derived-from' || rt === 'duplicate-of') {
    if (source !== target) {
      report(
        ctx,
        'warning',
        'relationship-endpoints',
        '3.7',
        `'${rt}' should join two objects of the same type, not ${source} and ${target}`,
        'relationship_type',
      )
    }
    return
  }
  if (!SPEC_RELATIONSHIP_TYPE_NAMES.has(rt)) return
  if (!isStixType(source) || !isStixType(target)) return
  const targets = SPEC_RELATIONSHIPS[source]?.[rt]
  const ok =
    targets !== undefined &&
    (targets.includes(target) || (targets.includes('*sco') && stixCategory(target) === 'sco'))
  if (!ok) {
    report(
      ctx,
      'warning',
      'relationship-endpoints',
      '5.1',
      `STIX 2.1 does not define '${source} ${rt} ${target}' (Appendix B)`,
      'relationship_type',
    )
  }
}

/** Relationship (section 5.1). */
export const relationshipDefinition = defineObject(
  'relationship',
  'sro',
  '5.1',
  {
    relationship_type: req(relationshipType),
    description: str,
    source_ref: req(ref(sdoOrSco, '5.1.2')),
    target_ref: req(ref(sdoOrSco, '5.1.2')),
    start_time: ts,
    stop_time: ts,
  },
  {
    rules: (o, ctx) => {
      checkOrder(o, ctx, 'start_time', 'stop_time', true, '5.1.2')
      checkRelationshipEndpoints(o, ctx)
    },
  },
)

/** Sighting (section 5.2). */
export const sightingDefinition = defineObject(
  'sighting',
  'sro',
  '5.2',
  {
    description: str,
    first_seen: ts,
    last_seen: ts,
    count: int(0, 999_999_999, '5.2.1'),
    sighting_of_ref: req(ref({ family: 'sdo', label: 'an SDO' }, '5.2.1')),
    observed_data_refs: refs({ types: ['observed-data'], label: 'an observed-data' }, '5.2.1'),
    where_sighted_refs: refs(
      { types: ['identity', 'location'], label: 'an identity or location' },
      '5.2.1',
    ),
    // The Markdown table says string; the text (default false) and section 2.2 say boolean.
    summary: bool,
  },
  { rules: (o, ctx) => checkOrder(o, ctx, 'first_seen', 'last_seen', false, '5.2.1') },
)
