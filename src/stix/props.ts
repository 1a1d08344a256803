/**
 * The property-definition language of the object model. Each property is declared once, as a
 * {@link Prop} holding both its zod schema (from which the public types are inferred) and a
 * precompiled check that the validator runs on the hot path without zod, closures per object,
 * or exceptions.
 *
 * @internal
 */
import { z } from 'zod'
import {
  checkTimestamp,
  compareTimestamps,
  isBase64,
  isDictionaryKey,
  isHex,
  isLowerHyphenated,
  isPropertyName,
  isStixInteger,
  uuidVersionAt,
} from './formats.js'
import type { Severity, StixIssue } from './issues.js'
import { stixCategory, type StixCategory } from './type-names.js'

/** A JSON object as parsed. */
export type Json = Record<string, unknown>

/** Mutable state of one validation run. */
export interface Ctx {
  readonly issues: StixIssue[]
  /** JSON path of the value being checked; checks push and pop around nested values. */
  readonly path: (string | number)[]
  objectId: string | undefined
  allowCustomProperties: boolean
  /** Whether the current object declares a toplevel-property-extension (section 7.3). */
  toplevelExtension: boolean
  /** UUID version of the current object's well-formed `id`, or -1. */
  idVersion: number
}

export type Check = (value: unknown, ctx: Ctx) => void

export interface Prop<Z extends z.ZodType = z.ZodType, R extends boolean = boolean> {
  readonly zod: Z
  readonly check: Check
  readonly required: R
}

export type PropMap = Record<string, Prop>

/** The zod shape of a property map: required props as is, the others optional. */
export type ShapeOf<P extends PropMap> = {
  -readonly [K in keyof P]: P[K] extends Prop<infer Z, true>
    ? Z
    : P[K] extends Prop<infer Z, boolean>
      ? z.ZodOptional<Z>
      : never
}

/** Records one finding at the current path, optionally one segment deeper. */
export function report(
  ctx: Ctx,
  severity: Severity,
  code: string,
  section: string,
  message: string,
  extra?: string | number,
): void {
  const path = ctx.path.slice()
  if (extra !== undefined) path.push(extra)
  const issue: StixIssue = { severity, code, path, section, message }
  if (ctx.objectId !== undefined) issue.objectId = ctx.objectId
  ctx.issues.push(issue)
}

/** Describes the current property for messages, e.g. `'valid_from'` or `'kill_chain_phases[0]'`. */
export function here(ctx: Ctx): string {
  let out = ''
  for (const seg of ctx.path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out === '' ? seg : `.${seg}`
  }
  return out === '' ? 'the object' : `'${out}'`
}

/** A value for messages: strings quoted and cut at 80 characters, other values described. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value)
  return describe(value)
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  const t = typeof value
  if (t === 'object') return 'an object'
  if (t === 'string') return 'a string'
  if (t === 'number') return Number.isInteger(value) ? 'an integer' : 'a number'
  if (t === 'boolean') return 'a boolean'
  return t
}

export function typeError(ctx: Ctx, expected: string, value: unknown): void {
  report(
    ctx,
    'error',
    'property-type',
    '2',
    `${here(ctx)} must be ${expected}, not ${describe(value)}`,
  )
}

export function isJsonObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function prop<Z extends z.ZodType>(zod: Z, check: Check): Prop<Z, false> {
  return { zod, check, required: false }
}

/** Marks a property required (present in the JSON, section 3.1). */
export function req<Z extends z.ZodType>(p: Prop<Z>): Prop<Z, true> {
  return { zod: p.zod, check: p.check, required: true }
}

/** A property with a different zod schema but the same check (e.g. a literal `type`). */
export function withZod<Z extends z.ZodType>(p: Prop, zod: Z): Prop<Z, false> {
  return { zod, check: p.check, required: false }
}

// ---- primitive types (section 2) ----

export const str: Prop<z.ZodString, false> = prop(z.string(), (v, ctx) => {
  if (typeof v !== 'string') typeError(ctx, 'a string', v)
})

export const bool: Prop<z.ZodBoolean, false> = prop(z.boolean(), (v, ctx) => {
  if (typeof v !== 'boolean') typeError(ctx, 'a boolean (true or false)', v)
})

/** An integer (section 2.10), optionally restricted to `[min, max]` by `section`. */
export function int(min?: number, max?: number, section = '2.10'): Prop<z.ZodNumber, false> {
  const lo = min ?? Number.MIN_SAFE_INTEGER
  const hi = max ?? Number.MAX_SAFE_INTEGER
  let schema = z.number().int()
  if (min !== undefined) schema = schema.min(min)
  if (max !== undefined) schema = schema.max(max)
  return prop(schema, (v, ctx) => {
    if (!isStixInteger(v)) {
      if (typeof v === 'number' && Number.isInteger(v)) {
        report(ctx, 'error', 'integer-range', '2.10', `${here(ctx)} must fit in 54 bits`)
      } else typeError(ctx, 'an integer', v)
    } else if (v < lo || v > hi) {
      const range =
        max === undefined ? `at least ${lo}` : min === undefined ? `at most ${hi}` : `${lo}-${hi}`
      report(ctx, 'error', 'integer-range', section, `${here(ctx)} must be ${range}, not ${v}`)
    }
  })
}

/** A non-negative integer ("MUST NOT be negative"). */
export const nonNegative = (section: string): Prop<z.ZodNumber, false> => int(0, undefined, section)

/** A float (section 2.6), optionally within `[min, max]`. */
export function float(min?: number, max?: number, section = '2.6'): Prop<z.ZodNumber, false> {
  let schema = z.number()
  if (min !== undefined) schema = schema.min(min)
  if (max !== undefined) schema = schema.max(max)
  return prop(schema, (v, ctx) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) typeError(ctx, 'a number', v)
    else if ((min !== undefined && v < min) || (max !== undefined && v > max)) {
      report(
        ctx,
        'error',
        'number-range',
        section,
        `${here(ctx)} must be between ${min ?? '-inf'} and ${max ?? 'inf'}, not ${v}`,
      )
    }
  })
}

/** Reports a malformed timestamp; returns the precision or -1. */
export function checkTimestampValue(v: unknown, ctx: Ctx): number {
  if (typeof v !== 'string') {
    typeError(ctx, 'a timestamp string', v)
    return -1
  }
  const precision = checkTimestamp(v)
  if (precision < 0) {
    report(
      ctx,
      'error',
      'timestamp-format',
      '2.16',
      `${here(ctx)} must be an RFC 3339 UTC timestamp like 2016-01-20T12:31:12.123Z, not ${show(v)}`,
    )
  }
  return precision
}

/** A timestamp (section 2.16). */
export const ts: Prop<z.ZodString, false> = prop(z.string(), (v, ctx) => {
  checkTimestampValue(v, ctx)
})

/** `created`/`modified`: at least millisecond precision (section 3.2). */
export const tsMillis: Prop<z.ZodString, false> = prop(z.string(), (v, ctx) => {
  const p = checkTimestampValue(v, ctx)
  if (p >= 0 && p < 3) {
    report(
      ctx,
      'error',
      'timestamp-precision',
      '3.2',
      `${here(ctx)} must have at least millisecond precision (three digits after the decimal point)`,
    )
  }
})

/** A timestamp precise to the second (no fraction), e.g. PE `time_date_stamp` (6.7.6). */
export const tsSeconds: Prop<z.ZodString, false> = prop(z.string(), (v, ctx) => {
  const p = checkTimestampValue(v, ctx)
  if (p > 0) {
    report(
      ctx,
      'error',
      'timestamp-precision',
      '6.7.6',
      `${here(ctx)} must be precise to the second, without a fraction`,
    )
  }
})

/** Hexadecimal (section 2.8): even count of `0-9a-f`. */
export const hex: Prop<z.ZodString, false> = prop(z.string(), (v, ctx) => {
  if (typeof v !== 'string') typeError(ctx, 'a hex string', v)
  else if (!isHex(v)) {
    report(
      ctx,
      'error',
      'hex-format',
      '2.8',
      `${here(ctx)} must be an even number of lowercase hex digits, not ${show(v)}`,
    )
  }
})

/** Binary (section 2.1): base64. */
export const bin: Prop<z.ZodString, false> = prop(z.string(), (v, ctx) => {
  if (typeof v !== 'string') typeError(ctx, 'a base64 string', v)
  else if (!isBase64(v)) {
    report(ctx, 'error', 'binary-format', '2.1', `${here(ctx)} must be base64 (RFC 4648)`)
  }
})

// ---- enumerations and open vocabularies (sections 2.4, 2.14, 10) ----

/** An enumeration value (section 2.4): anything else is an error. */
export function enumOf<const V extends readonly [string, ...string[]]>(
  values: V,
  name: string,
  section: string,
): Prop<z.ZodEnum<{ [K in V[number]]: K }>, false> {
  const set: ReadonlySet<string> = new Set(values)
  return prop(z.enum(values), (v, ctx) => {
    if (typeof v !== 'string') typeError(ctx, `a value of ${name}`, v)
    else if (!set.has(v)) {
      report(
        ctx,
        'error',
        'enum-value',
        section,
        `${here(ctx)} must be one of ${name} (${values.join(', ')}), not ${show(v)}`,
      )
    }
  })
}

/** An open-vocabulary value (section 2.14): other strings are warnings. */
export function vocab(
  values: readonly string[],
  name: string,
  section: string,
): Prop<z.ZodString, false> {
  const set: ReadonlySet<string> = new Set(values)
  return prop(z.string(), (v, ctx) => {
    if (typeof v !== 'string') typeError(ctx, `a string (${name})`, v)
    else if (!set.has(v)) {
      const shape = isLowerHyphenated(v) ? '' : '; custom terms should be lowercase with hyphens'
      report(
        ctx,
        'warning',
        'open-vocab',
        section,
        `${here(ctx)} value ${show(v)} is not in ${name}${shape}`,
      )
    }
  })
}

// ---- lists (section 2.12) ----

/** A list of `item`: must be an array with at least one value. */
export function list<Z extends z.ZodType>(item: Prop<Z>): Prop<z.ZodArray<Z>, false> {
  const check = item.check
  return prop(z.array(item.zod).min(1), (v, ctx) => {
    if (!Array.isArray(v)) {
      typeError(ctx, 'a list', v)
      return
    }
    if (v.length === 0) {
      report(ctx, 'error', 'empty-list', '2.12', `${here(ctx)} must not be an empty list`)
      return
    }
    const path = ctx.path
    for (let i = 0; i < v.length; i++) {
      path.push(i)
      check(v[i], ctx)
      path.pop()
    }
  })
}

export const strList: Prop<z.ZodArray<z.ZodString>, false> = list(str)

// ---- identifiers and references (sections 2.9, 3.3) ----

/** What a reference may point to. */
export interface RefTarget {
  /** Exact types allowed. */
  readonly types?: readonly string[]
  /** Or a family rule. */
  readonly family?: 'any' | 'sdo' | 'sco' | 'sdo-sco' | 'sco-sro'
  /** Words for messages, e.g. `an identity`. */
  readonly label: string
}

function familyAllows(family: NonNullable<RefTarget['family']>, c: StixCategory): boolean {
  switch (family) {
    case 'any':
      return true
    case 'sdo':
      return c === 'sdo' || c === 'custom'
    case 'sco':
      return c === 'sco' || c === 'custom'
    case 'sdo-sco':
      return c === 'sdo' || c === 'sco' || c === 'custom'
    case 'sco-sro':
      return c === 'sco' || c === 'sro' || c === 'custom'
  }
}

/**
 * Checks an identifier value; returns the `--` position or -1 when unusable. Reports bad
 * format; the caller checks the type.
 */
export function checkIdentifierFormat(v: unknown, ctx: Ctx): number {
  if (typeof v !== 'string') {
    typeError(ctx, 'an identifier string', v)
    return -1
  }
  const sep = v.indexOf('--')
  const version = sep > 0 ? uuidVersionAt(v, sep + 2) : -1
  if (version < 0) {
    report(
      ctx,
      'error',
      'identifier-format',
      '2.9',
      `${here(ctx)} must be an identifier of the form type--UUID, not ${show(v)}`,
    )
    return -1
  }
  if (version === 0) {
    report(
      ctx,
      'error',
      'identifier-format',
      '2.9',
      `${here(ctx)} ${show(v)} does not hold an RFC 4122 UUID (version 1-8, variant 10xx)`,
    )
    return -1
  }
  return sep
}

function startsWithType(v: string, sep: number, type: string): boolean {
  return sep === type.length && v.startsWith(type)
}

/** A reference to an object of the given target types (embedded relationship). */
export function ref(target: RefTarget, section: string): Prop<z.ZodString, false> {
  const types = target.types
  const single = types?.length === 1 ? types[0] : undefined
  const set: ReadonlySet<string> | undefined = types ? new Set(types) : undefined
  const family = target.family
  return prop(z.string(), (v, ctx) => {
    const sep = checkIdentifierFormat(v, ctx)
    if (sep < 0) return
    const s = v as string
    let ok: boolean
    if (single !== undefined) ok = startsWithType(s, sep, single)
    else if (set !== undefined) ok = set.has(s.slice(0, sep))
    else ok = family === undefined || familyAllows(family, stixCategory(s.slice(0, sep)))
    if (!ok) {
      report(
        ctx,
        'error',
        'reference-type',
        section,
        `${here(ctx)} must refer to ${target.label}, not to a ${s.slice(0, sep)}`,
      )
    }
  })
}

export function refs(target: RefTarget, section: string): Prop<z.ZodArray<z.ZodString>, false> {
  return list(ref(target, section))
}

export const anyRef: Prop<z.ZodString, false> = ref(
  { family: 'any', label: 'a STIX object' },
  '2.9',
)

// ---- dictionaries (section 2.3) ----

/** Checks dictionary-ness and keys; returns whether values should be looked at. */
export function checkDictionaryShape(v: unknown, ctx: Ctx, minKeyLength = 1): v is Json {
  if (!isJsonObject(v)) {
    typeError(ctx, 'a dictionary (JSON object)', v)
    return false
  }
  let count = 0
  for (const key in v) {
    count++
    if (!isDictionaryKey(key, minKeyLength)) {
      report(
        ctx,
        'error',
        'dictionary-key',
        '2.3',
        `key ${show(key)} of ${here(ctx)} must be ${minKeyLength}-250 ASCII letters, digits, '-' or '_'`,
        key,
      )
    }
  }
  if (count === 0) {
    report(ctx, 'error', 'empty-dictionary', '2.3', `${here(ctx)} must not be an empty dictionary`)
    return false
  }
  return true
}

/** A dictionary whose values are checked by `value` (or anything when omitted). */
export function dict<Z extends z.ZodType = z.ZodUnknown>(
  value?: Prop<Z>,
): Prop<z.ZodRecord<z.ZodString, Z>, false> {
  const check = value?.check
  const zod = (value?.zod ?? z.unknown()) as Z
  return prop(z.record(z.string(), zod), (v, ctx) => {
    if (!checkDictionaryShape(v, ctx) || check === undefined) return
    const path = ctx.path
    for (const key in v) {
      path.push(key)
      check(v[key], ctx)
      path.pop()
    }
  })
}

/** A value that is an integer or a string (e.g. `ipfix`, `exif_tags`). */
export const intOrStr: Prop<z.ZodUnion<[z.ZodNumber, z.ZodString]>, false> = prop(
  z.union([z.number().int(), z.string()]),
  (v, ctx) => {
    if (typeof v !== 'string' && !isStixInteger(v)) typeError(ctx, 'an integer or a string', v)
  },
)

// ---- nested object types ----

/** A table the validator walks: known properties, required ones, cross-property rules. */
export interface Table {
  readonly props: Readonly<Record<string, Prop>>
  readonly required: readonly string[]
  readonly rules: ((obj: Json, ctx: Ctx) => void) | undefined
  /** Where a nested type must have at least one property, the section saying so. */
  readonly atLeastOne: string | undefined
  /** Name for messages, e.g. `external-reference`. */
  readonly name: string
  /** The section defining the type's properties, cited for missing required ones. */
  readonly section: string
}

export function makeTable(
  name: string,
  props: PropMap,
  rules?: (obj: Json, ctx: Ctx) => void,
  atLeastOne?: string,
  section = '3.1',
): Table {
  const table: Record<string, Prop> = Object.create(null) as Record<string, Prop>
  const required: string[] = []
  for (const [k, p] of Object.entries(props)) {
    table[k] = p
    if (p.required) required.push(k)
  }
  return { props: table, required, rules, atLeastOne, name, section }
}

export function shapeOf<P extends PropMap>(props: P): ShapeOf<P> {
  const shape: Record<string, z.ZodType> = {}
  for (const [k, p] of Object.entries(props)) shape[k] = p.required ? p.zod : p.zod.optional()
  return shape as ShapeOf<P>
}

const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'severity',
  'username',
  'phone_number',
  'action',
])

/** Checks a property no table defines: a custom property (section 11.1) or extension property. */
export function checkCustomProperty(
  key: string,
  value: unknown,
  ctx: Ctx,
  topLevel: boolean,
): void {
  if (topLevel && RESERVED_NAMES.has(key)) {
    report(
      ctx,
      'error',
      'reserved-property',
      '3.8',
      `property '${key}' is reserved by STIX 2.1 and must not be used`,
    )
    return
  }
  // Properties a toplevel-property-extension adds are declared, not custom.
  if (!ctx.allowCustomProperties && !(topLevel && ctx.toplevelExtension)) {
    report(ctx, 'error', 'custom-property', '11.1', `custom property '${key}' is not allowed`)
    return
  }
  if (!isPropertyName(key)) {
    report(
      ctx,
      'error',
      'custom-property-name',
      '11.1',
      `custom property name ${show(key)} must be 3-250 characters of a-z, 0-9 and '_', starting with a letter`,
    )
    return
  }
  if (topLevel && !ctx.toplevelExtension && !key.startsWith('x_')) {
    report(
      ctx,
      'warning',
      'custom-property-prefix',
      '11.1',
      `custom property '${key}' should start with 'x_' (or be declared by a toplevel-property-extension)`,
    )
  }
  if (key.endsWith('_hex') && typeof value === 'string' && !isHex(value)) {
    report(ctx, 'error', 'hex-format', '2.8', `${here(ctx)} ends in _hex but is not hex`)
  } else if (key.endsWith('_bin') && typeof value === 'string' && !isBase64(value)) {
    report(ctx, 'error', 'binary-format', '2.1', `${here(ctx)} ends in _bin but is not base64`)
  }
}

/** Walks `obj` against `table`: required, known and custom properties, then the rules. */
export function checkTable(table: Table, obj: Json, ctx: Ctx, topLevel: boolean): void {
  const path = ctx.path
  for (const key of table.required) {
    if (obj[key] === undefined) {
      report(
        ctx,
        'error',
        'required-property',
        table.section,
        `${table.name} is missing required property '${key}'`,
        key,
      )
    }
  }
  const props = table.props
  let count = 0
  for (const key in obj) {
    count++
    const p = props[key]
    path.push(key)
    if (p !== undefined) p.check(obj[key], ctx)
    else checkCustomProperty(key, obj[key], ctx, topLevel)
    path.pop()
  }
  if (count === 0 && table.atLeastOne !== undefined) {
    report(
      ctx,
      'error',
      'at-least-one-property',
      table.atLeastOne,
      `${here(ctx)} (${table.name}) must contain at least one property`,
    )
  }
  if (table.rules !== undefined) table.rules(obj, ctx)
}

/** A nested object type (e.g. `kill-chain-phase`). */
export function obj<P extends PropMap>(
  name: string,
  props: P,
  rules?: (o: Json, ctx: Ctx) => void,
  atLeastOne?: string,
): Prop<z.ZodObject<ShapeOf<P>>, false> & { table: Table } {
  const table = makeTable(name, props, rules, atLeastOne, atLeastOne)
  const p = prop(z.object(shapeOf(props)), (v, ctx) => {
    if (!isJsonObject(v)) typeError(ctx, `an object (${name})`, v)
    else checkTable(table, v, ctx, false)
  })
  return { ...p, table }
}

// ---- helpers for cross-property rules ----

/** Reports `later` < `earlier` (or <= when `strict`), when both are well-formed timestamps. */
export function checkOrder(
  o: Json,
  ctx: Ctx,
  earlier: string,
  later: string,
  strict: boolean,
  section: string,
): void {
  const a = o[earlier]
  const b = o[later]
  if (typeof a !== 'string' || typeof b !== 'string' || (a === b && !strict)) return
  if (checkTimestamp(a) < 0 || checkTimestamp(b) < 0) return
  const c = compareTimestamps(b, a)
  if (strict ? c <= 0 : c < 0) {
    report(
      ctx,
      'error',
      'timestamp-order',
      section,
      `'${later}' (${b}) must be ${strict ? 'later than' : 'later than or equal to'} '${earlier}' (${a})`,
      later,
    )
  }
}

/** Reports when `a` is present without `b` (e.g. `decryption_key` without its algorithm). */
export function requiresWith(o: Json, ctx: Ctx, a: string, b: string, section: string): void {
  if (o[a] !== undefined && o[b] === undefined) {
    report(
      ctx,
      'error',
      'property-dependency',
      section,
      `'${a}' must not be present without '${b}'`,
      a,
    )
  }
}

/** Reports when both are present. */
export function mutuallyExclusive(o: Json, ctx: Ctx, a: string, b: string, section: string): void {
  if (o[a] !== undefined && o[b] !== undefined) {
    report(
      ctx,
      'error',
      'mutually-exclusive',
      section,
      `'${a}' and '${b}' must not both be present`,
      b,
    )
  }
}

/** Reports when none of the keys is present. */
export function requireOneOf(
  o: Json,
  ctx: Ctx,
  keys: readonly string[],
  section: string,
  what?: string,
): void {
  for (const k of keys) if (o[k] !== undefined) return
  report(
    ctx,
    'error',
    'required-one-of',
    section,
    `${what ?? 'the object'} must contain at least one of ${keys.map((k) => `'${k}'`).join(', ')}`,
  )
}
