/**
 * The STIX 2.1 validator: one object, many objects, or a bundle. Every finding is collected;
 * MUST violations are errors and SHOULD violations warnings.
 */
import {
  checkGranularSelectors,
  checkScoIdVersion,
  common,
  extensionsProp,
  hasToplevelExtension,
  ownId,
} from './common.js'
import type { ObjectDefinition } from './define.js'
import { isTypeName, uuidVersionAt } from './formats.js'
import type { StixIssue, ValidationResult } from './issues.js'
import {
  extensionDefinitionDefinition,
  languageContentDefinition,
  markingDefinitionDefinition,
} from './meta.js'
import { z } from 'zod'
import {
  bool,
  checkCustomProperty,
  checkIdentifierFormat,
  type Prop,
  checkOrder,
  checkTable,
  type Ctx,
  isJsonObject,
  type Json,
  makeTable,
  report,
  req,
  tsMillis,
  typeError,
  show,
} from './props.js'
import * as sco from './sco.js'
import * as sdo from './sdo.js'
import { relationshipDefinition, sightingDefinition } from './sro.js'
import type { AnyStixObject, Bundle } from './types.js'

/** Options of {@link validateStix}, {@link validateObjects} and {@link validateBundle}. */
export interface ValidateOptions {
  /**
   * Accept properties the specification does not define, subject to the naming rules of
   * section 11.1 (default `true`). When `false`, each one is an error.
   */
  allowCustomProperties?: boolean
  /** Report every SHOULD finding as an error too (default `false`). */
  strict?: boolean
}

/** Result of validating many objects (an array, an iterable, NDJSON lines or a bundle). */
export interface ManyValidationResult {
  /** `true` when no finding is an error. */
  ok: boolean
  /** Every finding; those about one object carry its `index` (0-based). */
  issues: StixIssue[]
  /** How many objects were looked at. */
  objectCount: number
  /** How many of them have at least one error. */
  invalidCount: number
}

const ALL_DEFINITIONS: readonly ObjectDefinition[] = [
  sdo.attackPatternDefinition,
  sdo.campaignDefinition,
  sdo.courseOfActionDefinition,
  sdo.groupingDefinition,
  sdo.identityDefinition,
  sdo.incidentDefinition,
  sdo.indicatorDefinition,
  sdo.infrastructureDefinition,
  sdo.intrusionSetDefinition,
  sdo.locationDefinition,
  sdo.malwareDefinition,
  sdo.malwareAnalysisDefinition,
  sdo.noteDefinition,
  sdo.observedDataDefinition,
  sdo.opinionDefinition,
  sdo.reportDefinition,
  sdo.threatActorDefinition,
  sdo.toolDefinition,
  sdo.vulnerabilityDefinition,
  relationshipDefinition,
  sightingDefinition,
  sco.artifactDefinition,
  sco.autonomousSystemDefinition,
  sco.directoryDefinition,
  sco.domainNameDefinition,
  sco.emailAddrDefinition,
  sco.emailMessageDefinition,
  sco.fileDefinition,
  sco.ipv4AddrDefinition,
  sco.ipv6AddrDefinition,
  sco.macAddrDefinition,
  sco.mutexDefinition,
  sco.networkTrafficDefinition,
  sco.processDefinition,
  sco.softwareDefinition,
  sco.urlDefinition,
  sco.userAccountDefinition,
  sco.windowsRegistryKeyDefinition,
  sco.x509CertificateDefinition,
  languageContentDefinition,
  markingDefinitionDefinition,
  extensionDefinitionDefinition,
]

const definitions: ReadonlyMap<string, ObjectDefinition> = new Map(
  ALL_DEFINITIONS.map((d) => [d.type, d]),
)

/** @internal The definition of each STIX 2.1 type, for tests and tooling. */
export function definitionOf(type: string): ObjectDefinition | undefined {
  return definitions.get(type)
}

const customId: Prop<z.ZodString, false> = {
  zod: z.string(),
  required: false,
  check: (v, ctx) => {
    checkIdentifierFormat(v, ctx)
  },
}

const customTable = makeTable('custom object', {
  type: common.literal('custom'),
  spec_version: common.specVersion,
  id: req(customId),
  created_by_ref: common.createdByRef,
  created: tsMillis,
  modified: tsMillis,
  revoked: bool,
  labels: common.strList,
  confidence: common.confidence,
  lang: common.lang,
  external_references: common.externalReferences,
  object_marking_refs: common.objectMarkingRefs,
  granular_markings: common.granularMarkings,
  defanged: bool,
  extensions: extensionsProp({ type: 'custom object', category: 'custom', predefined: undefined }),
})

function declaresNewType(o: Json): boolean {
  const ext = o['extensions']
  if (!isJsonObject(ext)) return false
  for (const key in ext) {
    const v = ext[key]
    if (
      isJsonObject(v) &&
      typeof v['extension_type'] === 'string' &&
      v['extension_type'].startsWith('new-')
    ) {
      return true
    }
  }
  return false
}

function checkCustomObject(o: Json, type: string, ctx: Ctx): void {
  if (!isTypeName(type)) {
    ctx.path.push('type')
    report(
      ctx,
      'error',
      'custom-object-type',
      '11.2',
      `unknown type ${show(type)}: a custom type must be 3-250 characters of a-z, 0-9 and '-', start with a letter and not contain '--'`,
    )
    ctx.path.pop()
    return
  }
  const newType = declaresNewType(o)
  if (!newType && !type.startsWith('x-')) {
    ctx.path.push('type')
    report(
      ctx,
      'warning',
      'custom-object-prefix',
      '11.2',
      `custom type '${type}' should start with 'x-' or be declared by an extension-definition (new-sdo/new-sco/new-sro)`,
    )
    ctx.path.pop()
  }
  // A custom object's own properties are not custom properties: no 'x_' prefix expected.
  ctx.toplevelExtension = true
  checkTable(customTable, o, ctx, true)
  const id = o['id']
  if (typeof id === 'string') {
    const sep = id.indexOf('--')
    if (
      sep > 0 &&
      uuidVersionAt(id, sep + 2) > 0 &&
      (sep !== type.length || !id.startsWith(type))
    ) {
      ctx.path.push('id')
      report(ctx, 'error', 'identifier-type', '2.9', `'id' must start with '${type}--'`)
      ctx.path.pop()
    }
  }
  let count = 0
  for (const k in o) if (k !== 'type' && k !== 'id') count++
  if (count === 0) {
    report(
      ctx,
      'error',
      'at-least-one-property',
      '11.2',
      'a custom object must have one or more properties',
    )
  }
}

/** Validates one object into `ctx`. */
function checkObject(input: unknown, ctx: Ctx): void {
  ctx.objectId = undefined
  ctx.toplevelExtension = false
  ctx.idVersion = -1
  if (!isJsonObject(input)) {
    report(
      ctx,
      'error',
      'not-an-object',
      '3',
      `a STIX object must be a JSON object, not ${input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input}`,
    )
    return
  }
  const id = input['id']
  if (typeof id === 'string') ctx.objectId = id
  const type = input['type']
  if (typeof type !== 'string') {
    if (type === undefined) {
      report(ctx, 'error', 'required-property', '3.2', "the object has no 'type'", 'type')
    } else {
      ctx.path.push('type')
      typeError(ctx, 'a string', type)
      ctx.path.pop()
    }
    return
  }
  if (input['extensions'] !== undefined) ctx.toplevelExtension = hasToplevelExtension(input)
  const def = definitions.get(type)
  if (def !== undefined) {
    checkTable(def.table, input, ctx, true)
    if (def.category === 'sco') checkScoIdVersion(input, type, def.table.required, ctx)
  } else if (type === 'bundle') {
    report(
      ctx,
      'error',
      'nested-bundle',
      '8',
      'a bundle is not a STIX object: it cannot be nested, and validateBundle checks a bundle',
      'type',
    )
    return
  } else checkCustomObject(input, type, ctx)
  if (input['modified'] !== undefined) checkOrder(input, ctx, 'created', 'modified', false, '3.2')
  if (input['granular_markings'] !== undefined) checkGranularSelectors(input, ctx)
}

function newCtx(options: ValidateOptions | undefined, issues: StixIssue[]): Ctx {
  return {
    issues,
    path: [],
    objectId: undefined,
    allowCustomProperties: options?.allowCustomProperties ?? true,
    toplevelExtension: false,
    idVersion: -1,
  }
}

function countErrors(issues: StixIssue[], from: number, strict: boolean): number {
  let errors = 0
  for (let i = from; i < issues.length; i++) {
    const issue = issues[i] as StixIssue
    if (issue.severity === 'error') errors++
    else if (strict) {
      issue.severity = 'error'
      errors++
    }
  }
  return errors
}

/**
 * Validates one STIX 2.1 object (SDO, SRO, SCO, meta object, or custom object) against every
 * MUST (errors) and SHOULD (warnings) of the specification that can be checked on the data.
 *
 * @example
 * const result = validateStix(JSON.parse(text))
 * if (!result.ok) for (const i of result.issues) console.log(i.code, formatPath(i.path), i.message)
 */
export function validateStix(
  input: unknown,
  options?: ValidateOptions,
): ValidationResult<AnyStixObject> {
  const issues: StixIssue[] = []
  checkObject(input, newCtx(options, issues))
  const errors = countErrors(issues, 0, options?.strict === true)
  return errors === 0 ? { ok: true, object: input as AnyStixObject, issues } : { ok: false, issues }
}

/**
 * A stateful validator for streams of objects (NDJSON, a bundle read piece by piece): it
 * validates each object and also checks the rule that spans objects: a UUID must not be
 * reused for a different type (section 2.9). It keeps each id seen (about 100 bytes per
 * object). Feed objects in order; each call returns that object's findings.
 *
 * @example
 * const check = createObjectValidator()
 * for (const [i, obj] of objects.entries()) issues.push(...check(obj, i))
 */
export function createObjectValidator(
  options?: ValidateOptions,
): (input: unknown, index: number) => StixIssue[] {
  const run = new Run(options)
  return (input, index) => {
    const issues: StixIssue[] = []
    run.check(input, index, issues)
    return issues
  }
}

/** Whether two ids end in the same UUID (case-insensitively). */
function sameUuid(a: string, b: string, bSep: number): boolean {
  const aStart = a.length - 36
  const bStart = bSep + 2
  for (let i = 0; i < 36; i++) {
    if ((a.charCodeAt(aStart + i) | 32) !== (b.charCodeAt(bStart + i) | 32)) return false
  }
  return true
}

/**
 * The ids seen so far, indexed by a hash of their UUID in an open-addressing table of typed
 * arrays: no allocation per object, unlike a Map.
 */
class UuidIndex {
  private slots = new Int32Array(1 << 12)
  private readonly hashes: number[] = []
  private readonly ids: string[] = []

  /** Records `id`; returns an earlier id with the same UUID but another type, if any. */
  add(id: string, sep: number): string | undefined {
    let h = 0x811c9dc5
    // The first 8 and last 12 hex digits vary in random, name-based and sequential UUIDs alike.
    for (let i = sep + 2; i < sep + 10; i++) h = Math.imul(h ^ (id.charCodeAt(i) | 32), 0x01000193)
    for (let i = id.length - 12; i < id.length; i++) {
      h = Math.imul(h ^ (id.charCodeAt(i) | 32), 0x01000193)
    }
    h &= 0x3fffffff
    const slots = this.slots
    const mask = slots.length - 1
    let pos = h & mask
    for (;;) {
      const slot = slots[pos] ?? 0
      if (slot === 0) break
      const j = slot - 1
      const seen = this.ids[j] as string
      if (this.hashes[j] === h && sameUuid(seen, id, sep)) return seen === id ? undefined : seen
      pos = (pos + 1) & mask
    }
    this.ids.push(id)
    this.hashes.push(h)
    slots[pos] = this.ids.length
    if (this.ids.length * 2 > slots.length) this.grow()
    return undefined
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let j = 0; j < this.hashes.length; j++) {
      let pos = (this.hashes[j] ?? 0) & mask
      while (slots[pos] !== 0) pos = (pos + 1) & mask
      slots[pos] = j + 1
    }
    this.slots = slots
  }
}

/** Validation state shared across the objects of one input. */
class Run {
  private readonly ctx: Ctx
  private readonly strict: boolean
  private readonly seen = new UuidIndex()

  constructor(options: ValidateOptions | undefined) {
    this.ctx = newCtx(options, [])
    this.strict = options?.strict === true
  }

  /** Validates one object, appending its findings (with `index`) to `out`; returns error count. */
  check(input: unknown, index: number, out: StixIssue[]): number {
    const ctx = this.ctx
    const issues = ctx.issues
    checkObject(input, ctx)
    if (isJsonObject(input)) this.track(input)
    if (issues.length === 0) return 0
    const errors = countErrors(issues, 0, this.strict)
    for (const issue of issues) {
      issue.index = index
      out.push(issue)
    }
    issues.length = 0
    return errors
  }

  private track(o: Json): void {
    const id = o['id']
    if (typeof id !== 'string') return
    const sep = id.indexOf('--')
    if (sep <= 0 || id.length - sep !== 38) return
    const other = this.seen.add(id, sep)
    if (other !== undefined) {
      report(
        this.ctx,
        'error',
        'uuid-reused',
        '2.9',
        `the UUID of '${id}' is already used by '${other}'; a UUID must not be reused across types`,
        'id',
      )
    }
  }
}

/**
 * Validates many objects (an array or any iterable, e.g. parsed NDJSON lines). Findings carry
 * the `index` of their object; rules spanning objects are checked as in
 * {@link createObjectValidator}.
 */
export function validateObjects(
  objects: Iterable<unknown>,
  options?: ValidateOptions,
): ManyValidationResult {
  const run = new Run(options)
  const issues: StixIssue[] = []
  let index = 0
  let invalid = 0
  for (const o of objects) {
    if (run.check(o, index++, issues) > 0) invalid++
  }
  return { ok: invalid === 0, issues, objectCount: index, invalidCount: invalid }
}

/**
 * Validates a STIX 2.1 bundle (section 8): `type` `bundle`, an id `bundle--<UUID>`, an optional
 * non-empty `objects` list (no `spec_version` in 2.1), then every object in it.
 *
 * @example
 * const result = validateBundle(JSON.parse(text))
 * console.log(`${result.objectCount} objects, ${result.invalidCount} invalid`)
 */
export function validateBundle(bundle: unknown, options?: ValidateOptions): ManyValidationResult {
  const issues: StixIssue[] = []
  const ctx = newCtx(options, issues)
  if (!isJsonObject(bundle)) {
    report(ctx, 'error', 'not-an-object', '8', 'a bundle must be a JSON object')
    return { ok: false, issues, objectCount: 0, invalidCount: 0 }
  }
  checkBundleEnvelope(bundle, ctx)
  countErrors(issues, 0, options?.strict === true)
  const objects = bundle['objects']
  const many = Array.isArray(objects) ? validateObjects(objects, options) : undefined
  if (many !== undefined) for (const issue of many.issues) issues.push(issue)
  let ok = many?.ok ?? true
  for (const issue of issues)
    if (issue.severity === 'error' && issue.index === undefined) ok = false
  return { ok, issues, objectCount: many?.objectCount ?? 0, invalidCount: many?.invalidCount ?? 0 }
}

const bundleId = ownId('bundle', 'meta')

function checkBundleEnvelope(b: Json, ctx: Ctx): void {
  const id = b['id']
  if (typeof id === 'string') ctx.objectId = id
  if (b['type'] !== 'bundle') {
    report(
      ctx,
      'error',
      'bundle-type',
      '8.1',
      `'type' must be "bundle", not ${show(b['type'])}`,
      'type',
    )
  }
  if (id === undefined)
    report(
      ctx,
      'error',
      'required-property',
      '8.1',
      "bundle is missing required property 'id'",
      'id',
    )
  else {
    ctx.path.push('id')
    bundleId.check(id, ctx)
    ctx.path.pop()
  }
  const objects = b['objects']
  if (objects !== undefined) {
    ctx.path.push('objects')
    if (!Array.isArray(objects)) typeError(ctx, 'a list of STIX objects', objects)
    else if (objects.length === 0)
      report(
        ctx,
        'error',
        'empty-list',
        '2.12',
        "'objects' must not be an empty list; omit it instead",
      )
    ctx.path.pop()
  }
  for (const key in b) {
    if (key === 'type' || key === 'id' || key === 'objects') continue
    ctx.path.push(key)
    if (key === 'spec_version') {
      report(
        ctx,
        'warning',
        'bundle-spec-version',
        '8.1',
        "a STIX 2.1 bundle has no 'spec_version' (STIX 2.0 bundles had one)",
      )
    } else checkCustomProperty(key, b[key], ctx, true)
    ctx.path.pop()
  }
}

/** Type guard over {@link validateStix}: whether `input` is a valid STIX 2.1 object. */
export function isValidStix(input: unknown, options?: ValidateOptions): input is AnyStixObject {
  return validateStix(input, options).ok
}

export type { Bundle }
