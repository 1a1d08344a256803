/**
 * Common data types (STIX 2.1 section 2) and common properties (section 3.2): external
 * references, kill chain phases, granular markings, hashes, extensions, identifiers.
 *
 * Definitions (zod schema + validator table) behind the public types and `validateStix`; the
 * package exports the inferred types, not these values.
 *
 * @internal
 */
import { z } from 'zod'
import { isHexOfLength, isLanguageTag, isLowerHyphenated, isPropertyName } from './formats.js'
import {
  anyRef,
  bool,
  checkDictionaryShape,
  checkIdentifierFormat,
  checkTable,
  type Ctx,
  here,
  int,
  isJsonObject,
  type Json,
  list,
  obj,
  type Prop,
  report,
  req,
  ref,
  refs,
  str,
  strList,
  type Table,
  typeError,
  withZod,
  show,
} from './props.js'
import { isStixType, type StixCategory } from './type-names.js'
import { EXTENSION_TYPE_ENUM, HASH_ALGORITHM_OV } from './vocabularies.js'
import { idContributingProperties } from './sco-ids.js'

const HASH_HEX_LENGTH: Readonly<Record<string, number>> = {
  MD5: 32,
  'SHA-1': 40,
  'SHA-256': 64,
  'SHA-512': 128,
  'SHA3-256': 64,
  'SHA3-512': 128,
}

const HASH_NAMES: ReadonlySet<string> = new Set(HASH_ALGORITHM_OV)
const HASH_BY_SQUASHED: ReadonlyMap<string, string> = new Map(
  HASH_ALGORITHM_OV.map((h) => [h.replace(/[-_]/g, '').toUpperCase(), h]),
)

function isSsdeep(s: string): boolean {
  const a = s.indexOf(':')
  const b = s.indexOf(':', a + 1)
  if (a < 1 || b < 0) return false
  for (let i = 0; i < a; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return b > a + 1 && b < s.length - 1
}

function isTlsh(s: string): boolean {
  // TLSH digests are 70 hex digits, or 72 with the version prefix "T1".
  if (s.length === 72 && (s.startsWith('T1') || s.startsWith('t1')))
    return isHexOfLength(s.slice(2), 70)
  return isHexOfLength(s, 70) || isHexOfLength(s, 72)
}

function checkHashValue(alg: string, value: unknown, ctx: Ctx): void {
  if (typeof value !== 'string') {
    typeError(ctx, 'a hash string', value)
    return
  }
  const len = HASH_HEX_LENGTH[alg]
  let ok = true
  if (len !== undefined) ok = isHexOfLength(value, len)
  else if (alg === 'SSDEEP') ok = isSsdeep(value)
  else if (alg === 'TLSH') ok = isTlsh(value)
  if (!ok) {
    const want = len !== undefined ? `${len} hex digits` : `a ${alg} digest`
    report(ctx, 'error', 'hash-value', '2.7', `${here(ctx)} must be ${want} for ${alg}`)
  }
}

/** `hashes` (section 2.7): keys 3-250 characters, known algorithm values in their format. */
export const hashes: Prop<z.ZodRecord<z.ZodString, z.ZodString>, false> = {
  zod: z.record(z.string(), z.string()),
  required: false,
  check: (v, ctx) => {
    if (!checkDictionaryShape(v, ctx, 3)) return
    const path = ctx.path
    for (const key in v) {
      path.push(key)
      if (!HASH_NAMES.has(key)) {
        const known = HASH_BY_SQUASHED.get(key.replace(/[-_]/g, '').toUpperCase())
        report(
          ctx,
          'warning',
          'hash-algorithm',
          '2.7',
          known !== undefined
            ? `hash algorithm ${show(key)} should be written '${known}' (hash-algorithm-ov)`
            : `hash algorithm ${show(key)} is not in hash-algorithm-ov`,
        )
        if (known !== undefined) checkHashValue(known, v[key], ctx)
        else if (typeof v[key] !== 'string') typeError(ctx, 'a hash string', v[key])
      } else checkHashValue(key, v[key], ctx)
      path.pop()
    }
  },
}

/** External reference (section 2.5). */
export const externalReference = obj(
  'external-reference',
  {
    source_name: req(str),
    description: str,
    url: str,
    hashes,
    external_id: str,
  },
  (o, ctx) => {
    if (
      o['description'] === undefined &&
      o['url'] === undefined &&
      o['external_id'] === undefined
    ) {
      report(
        ctx,
        'error',
        'required-one-of',
        '2.5.2',
        `external reference ${here(ctx)} must have at least one of 'description', 'url' or 'external_id'`,
      )
    }
    if (o['url'] !== undefined && o['hashes'] === undefined) {
      report(
        ctx,
        'warning',
        'external-reference-hashes',
        '2.5.1',
        `external reference ${here(ctx)} should give 'hashes' for its 'url'`,
        'url',
      )
    }
  },
)

function killChainWords(o: Json, ctx: Ctx, key: string): void {
  const v = o[key]
  if (typeof v === 'string' && !isLowerHyphenated(v)) {
    report(
      ctx,
      'warning',
      'kill-chain-phase-format',
      '2.11',
      `'${key}' ${show(v)} should be lowercase with hyphens as word separators`,
      key,
    )
  }
}

/** Kill chain phase (section 2.11). */
export const killChainPhase = obj(
  'kill-chain-phase',
  { kill_chain_name: req(str), phase_name: req(str) },
  (o, ctx) => {
    killChainWords(o, ctx, 'kill_chain_name')
    killChainWords(o, ctx, 'phase_name')
  },
)

export const killChainPhases = list(killChainPhase)

/** An RFC 5646 language tag. */
export const lang: Prop<z.ZodString, false> = {
  zod: z.string(),
  required: false,
  check: (v, ctx) => {
    if (typeof v !== 'string') typeError(ctx, 'a language tag string', v)
    else if (!isLanguageTag(v)) {
      report(
        ctx,
        'error',
        'language-tag',
        '3.2',
        `${here(ctx)} must be an RFC 5646 language code, not ${show(v)}`,
      )
    }
  },
}

const markingRef = ref({ types: ['marking-definition'], label: 'a marking-definition' }, '7.2.3')

/** Granular marking (section 7.2.3); selector resolution happens on the whole object. */
export const granularMarking = obj(
  'granular-marking',
  { lang, marking_ref: markingRef, selectors: req(strList) },
  (o, ctx) => {
    const hasLang = o['lang'] !== undefined
    const hasRef = o['marking_ref'] !== undefined
    if (hasLang === hasRef) {
      report(
        ctx,
        'error',
        'granular-marking-choice',
        '7.2.3',
        `granular marking ${here(ctx)} must have exactly one of 'marking_ref' or 'lang'`,
      )
    }
  },
)

/** `identity` targets for `created_by_ref`. */
export const createdByRef = ref({ types: ['identity'], label: 'an identity' }, '3.2')

export const objectMarkingRefs = refs(
  { types: ['marking-definition'], label: 'a marking-definition' },
  '3.2',
)

export const confidence = int(0, 100, '3.2')

export const specVersion: Prop<z.ZodLiteral<'2.1'>, false> = {
  zod: z.literal('2.1'),
  required: false,
  check: (v, ctx) => {
    if (v !== '2.1') {
      report(ctx, 'error', 'spec-version', '3.2', `'spec_version' must be "2.1", not ${show(v)}`)
    }
  },
}

/** Reports a property that the object's type marks "Not Applicable" (section 3.2 table). */
export function notApplicable(severity: 'error' | 'warning', section: string, why: string): Prop {
  return {
    zod: z.never(),
    required: false,
    check: (_v, ctx) => {
      report(ctx, severity, 'property-not-applicable', section, `${here(ctx)} ${why}`)
    },
  }
}

/**
 * SCO id UUID versions (section 2.9): UUIDv5 SHOULD be used, but when the type's ID
 * contributing properties are all optional and none is present a UUIDv4 MUST be used.
 */
export function checkScoIdVersion(
  o: Json,
  type: string,
  required: readonly string[],
  ctx: Ctx,
): void {
  // Set by the `id` check when the id is well-formed and of this type.
  const version = ctx.idVersion
  if (version <= 0) return
  const contributing = idContributingProperties[type] ?? []
  let any = false
  for (const key of contributing) {
    if (o[key] !== undefined) {
      any = true
      break
    }
  }
  if (!any && version !== 4 && !contributing.some((k) => required.includes(k))) {
    report(
      ctx,
      'error',
      'uuid-version',
      '2.9',
      `this ${type} has none of its ID contributing properties, so its 'id' must use a UUIDv4, not version ${version}`,
      'id',
    )
  } else if (any && version !== 5) {
    report(
      ctx,
      'warning',
      'uuid-version',
      '2.9',
      `SCO 'id' should use a deterministic UUIDv5, not a version ${version} UUID`,
      'id',
    )
  }
}

/** The object's own `id` (section 2.9): right type prefix, RFC 4122 UUID, version SHOULDs. */
export function ownId(type: string, category: StixCategory): Prop<z.ZodString, false> {
  return {
    zod: z.string(),
    required: false,
    check: (v, ctx) => {
      const sep = checkIdentifierFormat(v, ctx)
      if (sep < 0) return
      const s = v as string
      if (sep !== type.length || !s.startsWith(type)) {
        report(
          ctx,
          'error',
          'identifier-type',
          '2.9',
          `'id' must start with '${type}--' (the object's type), not '${s.slice(0, sep)}--'`,
        )
        return
      }
      // SCO UUID versions depend on the ID contributing properties: see checkScoIdVersion.
      const version = s.charCodeAt(sep + 16) - 48
      ctx.idVersion = version
      if (version !== 4 && category !== 'custom' && category !== 'sco') {
        report(
          ctx,
          'warning',
          'uuid-version',
          '2.9',
          `'id' should use a UUIDv4, not a version ${version} UUID`,
        )
      }
    },
  }
}

/** What the object may hold under `extensions`. */
export interface ExtensionPolicy {
  readonly type: string
  readonly category: StixCategory
  /** Predefined extensions of this type (section 3.10), by key. */
  readonly predefined: Readonly<Record<string, Table>> | undefined
}

/** Predefined extension names and the SCO type that defines each. */
export const PREDEFINED_EXTENSION_OWNER: Readonly<Record<string, string>> = {
  'archive-ext': 'file',
  'ntfs-ext': 'file',
  'pdf-ext': 'file',
  'raster-image-ext': 'file',
  'windows-pebinary-ext': 'file',
  'http-request-ext': 'network-traffic',
  'icmp-ext': 'network-traffic',
  'socket-ext': 'network-traffic',
  'tcp-ext': 'network-traffic',
  'windows-process-ext': 'process',
  'windows-service-ext': 'process',
  'unix-account-ext': 'user-account',
}

const EXTENSION_TYPES: ReadonlySet<string> = new Set(EXTENSION_TYPE_ENUM)
const EXTENSION_DEFINITION_PREFIX = 'extension-definition--'

function isCustomExtensionName(key: string): boolean {
  if (key.length < 3 || key.length > 250 || !key.endsWith('-ext')) return false
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45)) return false
  }
  return true
}

function checkExtensionDefinitionInstance(
  key: string,
  value: Json,
  ctx: Ctx,
  policy: ExtensionPolicy,
): void {
  const et = value['extension_type']
  if (et === undefined) {
    report(
      ctx,
      'error',
      'extension-type-missing',
      '7.3',
      `extension ${show(key)} must have an 'extension_type' (extension-type-enum)`,
    )
  } else if (typeof et !== 'string' || !EXTENSION_TYPES.has(et)) {
    report(
      ctx,
      'error',
      'enum-value',
      '10.5',
      `'extension_type' must be one of ${EXTENSION_TYPE_ENUM.join(', ')}, not ${show(et)}`,
      'extension_type',
    )
  } else if (et.startsWith('new-') && isStixType(policy.type)) {
    report(
      ctx,
      'error',
      'extension-type-mismatch',
      '7.3',
      `extension_type '${et}' cannot apply to '${policy.type}', which STIX 2.1 already defines`,
      'extension_type',
    )
  }
  for (const k in value) {
    if (k !== 'extension_type' && !isPropertyName(k)) {
      report(
        ctx,
        'error',
        'extension-property-name',
        '7.3.2',
        `extension property name ${show(k)} must be 3-250 characters of a-z, 0-9 and '_', starting with a letter`,
        k,
      )
    }
  }
}

function checkCustomExtension(key: string, value: Json, ctx: Ctx): void {
  if (!key.startsWith('x-')) {
    report(
      ctx,
      'warning',
      'custom-extension-prefix',
      '11.3',
      `custom extension ${show(key)} should start with 'x-'; prefer an extension-definition`,
    )
  }
  let count = 0
  for (const k in value) {
    count++
    if (!isPropertyName(k)) {
      report(
        ctx,
        'error',
        'extension-property-name',
        '11.3',
        `custom extension property name ${show(k)} must be 3-250 characters of a-z, 0-9 and '_', starting with a letter`,
        k,
      )
    }
  }
  if (count === 0) {
    report(
      ctx,
      'error',
      'at-least-one-property',
      '11.3',
      `custom extension ${show(key)} must have at least one property`,
    )
  }
}

/** The `extensions` property (sections 3.2, 3.10, 7.3, 11.3) for one object type. */
export function extensionsProp(
  policy: ExtensionPolicy,
): Prop<z.ZodRecord<z.ZodString, z.ZodRecord<z.ZodString, z.ZodUnknown>>, false> {
  return {
    zod: z.record(z.string(), z.record(z.string(), z.unknown())),
    required: false,
    check: (v, ctx) => {
      if (!checkDictionaryShape(v, ctx)) return
      const path = ctx.path
      for (const key in v) {
        const value = v[key]
        path.push(key)
        const predefined = policy.predefined?.[key]
        if (key.startsWith(EXTENSION_DEFINITION_PREFIX)) {
          if (checkIdentifierFormat(key, ctx) >= 0) {
            if (isJsonObject(value)) checkExtensionDefinitionInstance(key, value, ctx, policy)
            else typeError(ctx, 'an object (extension instance)', value)
          }
        } else if (predefined !== undefined) {
          if (isJsonObject(value)) checkTable(predefined, value, ctx, false)
          else typeError(ctx, `an object (${key})`, value)
        } else if (PREDEFINED_EXTENSION_OWNER[key] !== undefined) {
          report(
            ctx,
            'error',
            'extension-not-allowed',
            '3.10',
            `extension '${key}' is defined for ${PREDEFINED_EXTENSION_OWNER[key]}, not for ${policy.type}`,
          )
        } else if (policy.category === 'sco' || policy.category === 'custom') {
          if (!isCustomExtensionName(key)) {
            report(
              ctx,
              'error',
              'extension-name',
              '11.3',
              `extension key ${show(key)} must be an extension-definition id or a name of a-z, 0-9 and '-' ending in '-ext'`,
            )
          } else if (isJsonObject(value)) checkCustomExtension(key, value, ctx)
          else typeError(ctx, 'an object (extension instance)', value)
        } else {
          report(
            ctx,
            'error',
            'extension-name',
            '11.3',
            `extension key ${show(key)} must be an extension-definition id (custom extensions apply only to SCOs)`,
          )
        }
        path.pop()
      }
    },
  }
}

/** Whether `extensions` declares a toplevel-property-extension (section 7.3). */
export function hasToplevelExtension(o: Json): boolean {
  const ext = o['extensions']
  if (!isJsonObject(ext)) return false
  for (const key in ext) {
    const value = ext[key]
    if (isJsonObject(value) && value['extension_type'] === 'toplevel-property-extension')
      return true
  }
  return false
}

const LIST_INDEX = /^\[(\d+)\]$/

/** Checks the selectors of `granular_markings` against the object (section 7.2.3). */
export function checkGranularSelectors(o: Json, ctx: Ctx): void {
  const markings = o['granular_markings']
  if (!Array.isArray(markings)) return
  for (let i = 0; i < markings.length; i++) {
    const m: unknown = markings[i]
    if (!isJsonObject(m)) continue
    if (typeof o['id'] === 'string' && m['marking_ref'] === o['id']) {
      report(
        ctx,
        'error',
        'circular-marking',
        '3.2',
        'a marking definition must not mark itself',
        'granular_markings',
      )
    }
    const selectors = m['selectors']
    if (!Array.isArray(selectors)) continue
    for (let j = 0; j < selectors.length; j++) {
      const sel: unknown = selectors[j]
      if (typeof sel !== 'string') continue
      const problem = selectorProblem(o, sel)
      if (problem !== undefined) {
        ctx.path.push('granular_markings', i, 'selectors', j)
        report(
          ctx,
          'error',
          'granular-marking-selector',
          '7.2.3',
          `selector ${show(sel)} ${problem}`,
        )
        ctx.path.length -= 4
      }
    }
  }
}

function selectorProblem(root: Json, selector: string): string | undefined {
  if (selector.length === 0) return 'is empty'
  let cur: unknown = root
  for (const comp of selector.split('.')) {
    if (comp.length === 0) return 'has an empty component'
    const m = LIST_INDEX.exec(comp)
    if (m !== null) {
      if (!Array.isArray(cur)) return `uses index ${comp} on something that is not a list`
      const idx = Number(m[1])
      if (idx >= cur.length) return `index ${comp} is beyond the end of the list`
      cur = cur[idx]
    } else {
      if (comp.includes('[') || comp.includes(']')) return `has a malformed component '${comp}'`
      if (!isJsonObject(cur)) return `selects '${comp}' inside something that is not an object`
      if (!Object.hasOwn(cur, comp)) return `refers to '${comp}', which is not present`
      cur = cur[comp]
    }
  }
  return undefined
}

/** Checks that a marking definition does not list itself in `object_marking_refs`. */
export function checkCircularObjectMarking(o: Json, ctx: Ctx): void {
  const refsValue = o['object_marking_refs']
  if (Array.isArray(refsValue) && typeof o['id'] === 'string' && refsValue.includes(o['id'])) {
    report(
      ctx,
      'error',
      'circular-marking',
      '3.2',
      'a marking definition must not mark itself',
      'object_marking_refs',
    )
  }
}

/** Property sets shared by families (section 3.2 table). */
export const common = {
  anyRef,
  bool,
  confidence,
  createdByRef,
  externalReferences: list(externalReference),
  granularMarkings: list(granularMarking),
  lang,
  objectMarkingRefs,
  specVersion,
  strList,
  literal: <T extends string>(type: T) => withZod(str, z.literal(type)),
}
