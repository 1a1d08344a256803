/**
 * The STIX Meta Objects (STIX 2.1 section 7): language content, marking definition and
 * extension definition.
 *
 * Definitions (zod schema + validator table) behind the public types and `validateStix`; the
 * package exports the inferred types, not these values.
 *
 * @internal
 */
import { z } from 'zod'
import { checkCircularObjectMarking } from './common.js'
import { defineObject } from './define.js'
import { isLanguageTag } from './formats.js'
import {
  anyRef,
  checkDictionaryShape,
  type Ctx,
  enumOf,
  here,
  isJsonObject,
  type Json,
  list,
  type Prop,
  report,
  req,
  str,
  strList,
  ts,
  vocab,
  show,
} from './props.js'
import { TLP1_MARKINGS, TLP2_EXTENSION_ID, TLP2_MARKINGS } from './tlp.js'
import { EXTENSION_TYPE_ENUM } from './vocabularies.js'

/** `contents` of language-content: language code -> translations of the object's properties. */
const contents: Prop<z.ZodRecord<z.ZodString, z.ZodRecord<z.ZodString, z.ZodUnknown>>, false> = {
  zod: z.record(z.string(), z.record(z.string(), z.unknown())),
  required: false,
  check: (v, ctx) => {
    if (!checkDictionaryShape(v, ctx)) return
    for (const key in v) {
      ctx.path.push(key)
      if (!isLanguageTag(key)) {
        report(
          ctx,
          'error',
          'language-tag',
          '7.1.1',
          `key ${show(key)} of 'contents' must be an RFC 5646 language code`,
        )
      }
      checkDictionaryShape(v[key], ctx)
      ctx.path.pop()
    }
  },
}

/** Language Content (section 7.1). */
export const languageContentDefinition = defineObject(
  'language-content',
  'language-content',
  '7.1',
  { object_ref: req(anyRef), object_modified: ts, contents: req(contents) },
)

const TLP1_BY_ID: ReadonlyMap<string, (typeof TLP1_MARKINGS)[keyof typeof TLP1_MARKINGS]> = new Map(
  Object.values(TLP1_MARKINGS).map((m) => [m.id, m]),
)
const TLP2_ID_BY_LEVEL: ReadonlyMap<string, string> = new Map(
  Object.entries(TLP2_MARKINGS).map(([level, m]) => [level, m.id]),
)

function checkTlp1(o: Json, ctx: Ctx, definition: Json): void {
  const level = definition['tlp']
  const standard = typeof o['id'] === 'string' ? TLP1_BY_ID.get(o['id']) : undefined
  if (
    standard === undefined ||
    standard.definition.tlp !== level ||
    standard.created !== o['created'] ||
    (o['name'] !== undefined && o['name'] !== standard.name)
  ) {
    report(
      ctx,
      'error',
      'tlp-marking-not-standard',
      '7.2.1',
      'TLP marking definitions must be exactly the four defined in section 7.2.1 (same id, created, name and level)',
    )
  }
}

function checkTlp2(o: Json, ctx: Ctx, ext: unknown): void {
  if (!isJsonObject(ext)) return
  const level = ext['tlp_2_0']
  ctx.path.push('extensions', TLP2_EXTENSION_ID)
  const expectedId = typeof level === 'string' ? TLP2_ID_BY_LEVEL.get(level) : undefined
  if (expectedId === undefined) {
    report(
      ctx,
      'error',
      'enum-value',
      'TLP 2.0',
      `'tlp_2_0' must be one of ${[...TLP2_ID_BY_LEVEL.keys()].join(', ')}, not ${show(level)}`,
      'tlp_2_0',
    )
  } else if (o['id'] !== expectedId) {
    report(
      ctx,
      'warning',
      'tlp-marking-not-standard',
      'TLP 2.0',
      `TLP 2.0 ${String(level)} has the well-known id ${expectedId}; do not create your own`,
    )
  }
  ctx.path.length -= 2
}

function markingDefinitionRules(o: Json, ctx: Ctx): void {
  checkCircularObjectMarking(o, ctx)
  const extensions = o['extensions']
  if (isJsonObject(extensions) && extensions[TLP2_EXTENSION_ID] !== undefined) {
    checkTlp2(o, ctx, extensions[TLP2_EXTENSION_ID])
  }
  const type = o['definition_type']
  const definition = o['definition']
  if (extensions === undefined) {
    for (const key of ['definition_type', 'definition']) {
      if (o[key] === undefined) {
        report(
          ctx,
          'error',
          'required-property',
          '7.2.1',
          `'${key}' is required when 'extensions' is absent`,
          key,
        )
      }
    }
  }
  if (definition === undefined || !isJsonObject(definition)) return
  ctx.path.push('definition')
  if (type === 'tlp' || type === 'statement') {
    const key = type
    const value = definition[key]
    if (typeof value !== 'string') {
      report(
        ctx,
        'error',
        'required-property',
        '7.2.1',
        `a ${type} marking's 'definition' must have a string '${key}'`,
        key,
      )
    } else if (type === 'tlp') {
      ctx.path.pop()
      checkTlp1(o, ctx, definition)
      return
    }
  }
  ctx.path.pop()
}

/** Marking Definition (section 7.2.1), TLP 1.0 and statement markings, or an extension. */
export const markingDefinitionDefinition = defineObject(
  'marking-definition',
  'marking-definition',
  '7.2.1',
  {
    name: str,
    definition_type: vocab(['statement', 'tlp'], 'the marking types of section 7.2.1', '7.2.1'),
    definition: {
      zod: z.record(z.string(), z.unknown()),
      required: false,
      check: (v, ctx) => {
        if (!isJsonObject(v)) {
          report(ctx, 'error', 'property-type', '7.2.1', `${here(ctx)} must be an object`)
        }
      },
    },
  },
  { rules: markingDefinitionRules },
)

function extensionDefinitionRules(o: Json, ctx: Ctx): void {
  const types = o['extension_types']
  const toplevel = Array.isArray(types) && types.includes('toplevel-property-extension')
  if (o['extension_properties'] !== undefined && !toplevel) {
    report(
      ctx,
      'error',
      'property-dependency',
      '7.3.1',
      "'extension_properties' may only be used when 'extension_types' includes toplevel-property-extension",
      'extension_properties',
    )
  }
  if (toplevel && o['extension_properties'] === undefined) {
    report(
      ctx,
      'warning',
      'recommended-property',
      '7.3.1',
      "a toplevel-property-extension should list its property names in 'extension_properties'",
    )
  }
}

/** Extension Definition (section 7.3). */
export const extensionDefinitionDefinition = defineObject(
  'extension-definition',
  'extension-definition',
  '7.3',
  {
    name: req(str),
    description: str,
    schema: req(str),
    version: req(str),
    extension_types: req(list(enumOf(EXTENSION_TYPE_ENUM, 'extension-type-enum', '10.5'))),
    extension_properties: strList,
  },
  { rules: extensionDefinitionRules },
)
