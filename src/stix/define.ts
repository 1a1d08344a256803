/**
 * `defineObject`: one declaration per STIX type gives the zod schema (for the inferred type)
 * and the validator's table (common properties of its family, its own properties, the common
 * properties that do not apply, predefined extensions and cross-property rules).
 *
 * @internal
 */
import { z } from 'zod'
import { common, extensionsProp, notApplicable, ownId, specVersion } from './common.js'
import {
  bool,
  tsMillis,
  makeTable,
  req,
  shapeOf,
  type Ctx,
  type Json,
  type PropMap,
  type ShapeOf,
  type Table,
} from './props.js'
import type { StixCategory } from './type-names.js'

/** The family of common properties an object uses (section 3.2 table). */
export type Family =
  | 'sdo'
  | 'sro'
  | 'sco'
  | 'language-content'
  | 'marking-definition'
  | 'extension-definition'
  | 'custom'

const versioned = {
  spec_version: req(specVersion),
  id: req(common.anyRef),
  created_by_ref: common.createdByRef,
  created: req(tsMillis),
  modified: req(tsMillis),
  revoked: bool,
  labels: common.strList,
  confidence: common.confidence,
  lang: common.lang,
  external_references: common.externalReferences,
  object_marking_refs: common.objectMarkingRefs,
  granular_markings: common.granularMarkings,
}

const scoCommon = {
  spec_version: specVersion,
  id: req(common.anyRef),
  object_marking_refs: common.objectMarkingRefs,
  granular_markings: common.granularMarkings,
  defanged: bool,
}

const languageContentCommon = {
  spec_version: req(specVersion),
  id: req(common.anyRef),
  created_by_ref: common.createdByRef,
  created: req(tsMillis),
  modified: req(tsMillis),
  revoked: bool,
  labels: common.strList,
  confidence: common.confidence,
  external_references: common.externalReferences,
  object_marking_refs: common.objectMarkingRefs,
  granular_markings: common.granularMarkings,
}

const markingCommon = {
  spec_version: req(specVersion),
  id: req(common.anyRef),
  created_by_ref: common.createdByRef,
  created: req(tsMillis),
  external_references: common.externalReferences,
  object_marking_refs: common.objectMarkingRefs,
  granular_markings: common.granularMarkings,
}

const extensionDefinitionCommon = {
  spec_version: req(specVersion),
  id: req(common.anyRef),
  created_by_ref: req(common.createdByRef),
  created: req(tsMillis),
  modified: req(tsMillis),
  revoked: bool,
  labels: common.strList,
  external_references: common.externalReferences,
  object_marking_refs: common.objectMarkingRefs,
  granular_markings: common.granularMarkings,
}

type CommonOf<F extends Family> = F extends 'sdo' | 'sro'
  ? typeof versioned
  : F extends 'sco'
    ? typeof scoCommon
    : F extends 'language-content'
      ? typeof languageContentCommon
      : F extends 'marking-definition'
        ? typeof markingCommon
        : F extends 'extension-definition'
          ? typeof extensionDefinitionCommon
          : typeof scoCommon

type ExtShape<F extends Family> = F extends 'extension-definition'
  ? object
  : { extensions: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodRecord<z.ZodString, z.ZodUnknown>>> }

/** The zod shape of a defined object. */
export type ObjectShape<T extends string, F extends Family, P extends PropMap> = Omit<
  ShapeOf<CommonOf<F>>,
  keyof P
> &
  ShapeOf<P> &
  ExtShape<F> & { type: z.ZodLiteral<T> }

/** A defined STIX type: schema for types, table for the validator. */
export interface ObjectDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string
  readonly category: StixCategory
  readonly section: string
  readonly schema: S
  readonly table: Table
}

const NA_SDO = { defanged: ['error', '3.2', 'applies only to SCOs'] } as const
const VERSIONING_ON_SCO = 'is not used on SCOs, which are not versioned (3.6)'
const NA_SCO: Record<string, readonly ['error' | 'warning', string, string]> = {
  created_by_ref: ['warning', '3.6', VERSIONING_ON_SCO],
  created: ['warning', '3.6', VERSIONING_ON_SCO],
  modified: ['warning', '3.6', VERSIONING_ON_SCO],
  revoked: ['warning', '3.6', VERSIONING_ON_SCO],
  labels: ['error', '3.2', 'is not applicable to SCOs'],
  confidence: ['error', '3.2', 'is not applicable to SCOs'],
  lang: ['error', '3.2', 'is not applicable to SCOs'],
  external_references: ['error', '3.2', 'is not applicable to SCOs'],
}
const NA_BY_FAMILY: Record<
  Family,
  Record<string, readonly ['error' | 'warning', string, string]>
> = {
  sdo: NA_SDO,
  sro: NA_SDO,
  sco: NA_SCO,
  custom: {},
  'language-content': {
    lang: ['error', '7.1', 'is not applicable to language-content'],
    defanged: ['error', '3.2', 'applies only to SCOs'],
  },
  'marking-definition': {
    modified: ['error', '7.2.1', 'is not applicable: marking definitions cannot be versioned'],
    revoked: ['error', '7.2.1', 'is not applicable: marking definitions cannot be versioned'],
    labels: ['error', '7.2.1', 'is not applicable to marking-definition'],
    confidence: ['error', '7.2.1', 'is not applicable to marking-definition'],
    lang: ['error', '7.2.1', 'is not applicable to marking-definition'],
    defanged: ['error', '3.2', 'applies only to SCOs'],
  },
  'extension-definition': {
    confidence: ['error', '7.3.1', 'is not applicable to extension-definition'],
    lang: ['error', '7.3.1', 'is not applicable to extension-definition'],
    defanged: ['error', '3.2', 'applies only to SCOs'],
    extensions: ['error', '7.3.1', 'is not applicable to extension-definition'],
  },
}

const COMMON_BY_FAMILY: Record<Family, PropMap> = {
  sdo: versioned,
  sro: versioned,
  sco: scoCommon,
  custom: scoCommon,
  'language-content': languageContentCommon,
  'marking-definition': markingCommon,
  'extension-definition': extensionDefinitionCommon,
}

function categoryOf(family: Family): StixCategory {
  switch (family) {
    case 'sdo':
    case 'sro':
    case 'sco':
    case 'custom':
      return family
    case 'language-content':
    case 'marking-definition':
    case 'extension-definition':
      return 'meta'
  }
}

export interface DefineOptions {
  /** Cross-property rules of the type. */
  readonly rules?: (o: Json, ctx: Ctx) => void
  /** Predefined extensions (section 3.10), by key. */
  readonly extensions?: Readonly<Record<string, Table>>
}

/** Declares a STIX type. */
export function defineObject<const T extends string, F extends Family, P extends PropMap>(
  type: T,
  family: F,
  section: string,
  props: P,
  options: DefineOptions = {},
): ObjectDefinition<z.ZodObject<ObjectShape<T, F, P>>> {
  const category = categoryOf(family)
  const commonProps = COMMON_BY_FAMILY[family]
  const all: PropMap = {
    ...commonProps,
    ...props,
    type: req(common.literal(type)),
    id: req(ownId(type, category)),
  }
  if (family !== 'extension-definition') {
    all['extensions'] = extensionsProp({ type, category, predefined: options.extensions })
  }
  const shapeProps: PropMap = { ...all }
  for (const [k, [severity, sec, why]] of Object.entries(NA_BY_FAMILY[family])) {
    if (all[k] === undefined) all[k] = notApplicable(severity, sec, why)
  }
  const table = makeTable(type, all, options.rules, undefined, section)
  const schema = z.object(shapeOf(shapeProps)) as unknown as z.ZodObject<ObjectShape<T, F, P>>
  return { type, category, section, schema, table }
}
