/**
 * The STIX Relationship Objects (STIX 2.1 section 5).
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
  type Prop,
} from './props.js'

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
        `${here(ctx)} must use only a-z, 0-9 and '-', not ${JSON.stringify(v)}`,
      )
    }
  },
}

const sdoOrSco = { family: 'sdo-sco', label: 'an SDO or SCO' } as const

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
  { rules: (o, ctx) => checkOrder(o, ctx, 'start_time', 'stop_time', true, '5.1.2') },
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
