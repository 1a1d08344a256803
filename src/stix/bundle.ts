/**
 * Bundle helpers (STIX 2.1 section 8): making a bundle, reading its objects, finding objects
 * by id and grouping the versions of each object.
 */
import { AppError } from '../errors.js'
import { compareVersions, latestVersion, type StixJsonObject } from './versioning.js'

/** A STIX 2.1 bundle as plain JSON (section 8.1); `objects` is absent when there are none. */
export interface BundleJson {
  type: 'bundle'
  id: string
  objects?: StixJsonObject[]
}

const BUNDLE_ID = /^bundle--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Where a new bundle's id comes from: the id itself, or a function returning a UUIDv4. */
export type BundleIdSource = string | (() => string)

function isRecord(value: unknown): value is StixJsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function resolveBundleId(source: BundleIdSource | undefined): string {
  let id: string
  if (typeof source === 'string') id = source
  else {
    const uuid = source ? source() : globalThis.crypto.randomUUID()
    id = uuid.startsWith('bundle--') ? uuid : `bundle--${uuid}`
  }
  if (!BUNDLE_ID.test(id)) {
    throw new RangeError(
      `a bundle id must be "bundle--" and a lowercase UUID, got ${JSON.stringify(id)}`,
    )
  }
  return id
}

/**
 * Wraps objects in a bundle (section 8). The id is `id` when given as a string, else
 * `bundle--` and the UUID the function returns (a UUIDv4, section 2.9: bundles SHOULD use
 * UUIDv4), else a random UUIDv4 from `crypto.randomUUID`. With no objects, `objects` is
 * omitted: the property is a list of "one or more" objects.
 *
 * @example
 * ```ts
 * makeBundle([indicator, malware], () => randomUUID())
 * ```
 * @throws RangeError when the id is not `bundle--<uuid>`.
 */
export function makeBundle(objects: Iterable<StixJsonObject>, id?: BundleIdSource): BundleJson {
  const list = [...objects]
  const bundle: BundleJson = { type: 'bundle', id: resolveBundleId(id) }
  if (list.length > 0) bundle.objects = list
  return bundle
}

/**
 * The objects of a bundle, in order (an empty list when `objects` is absent).
 * @throws AppError `STIX_UNUSABLE_INPUT` when `bundle` is not a JSON object of type `bundle`,
 * `objects` is not a list, or an element is not a JSON object (the message names its index).
 */
export function bundleObjects(bundle: unknown): StixJsonObject[] {
  if (!isRecord(bundle) || bundle['type'] !== 'bundle') {
    throw new AppError('STIX_UNUSABLE_INPUT', { detail: 'expected a JSON object of type "bundle"' })
  }
  const objects = bundle['objects']
  if (objects === undefined) return []
  if (!Array.isArray(objects)) {
    throw new AppError('STIX_UNUSABLE_INPUT', { detail: 'the bundle\'s "objects" is not a list' })
  }
  objects.forEach((object: unknown, index) => {
    if (!isRecord(object)) {
      throw new AppError('STIX_UNUSABLE_INPUT', {
        detail: `objects[${index}] of the bundle is not a JSON object`,
        details: { index },
      })
    }
  })
  return objects as StixJsonObject[]
}

/** Every object whose `id` is `id`, in input order (several versions of one object). */
export function findAllById<T extends StixJsonObject>(objects: Iterable<T>, id: string): T[] {
  const found: T[] = []
  for (const object of objects) if (object['id'] === id) found.push(object)
  return found
}

/**
 * The object with this `id`, or its latest version when several are present (section 3.6:
 * the most recent `modified` is the current state). `undefined` when absent.
 */
export function findById<T extends StixJsonObject>(
  objects: Iterable<T>,
  id: string,
): T | undefined {
  return latestVersion(findAllById(objects, id))
}

/**
 * Groups objects by `id`, each group's versions sorted oldest to newest (by `modified`, then
 * `created`; equal versions keep input order). Groups appear in order of first appearance;
 * objects without a string `id` are left out.
 */
export function groupVersions<T extends StixJsonObject>(objects: Iterable<T>): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const object of objects) {
    const id = object['id']
    if (typeof id !== 'string') continue
    const group = groups.get(id)
    if (group) group.push(object)
    else groups.set(id, [object])
  }
  // Array.prototype.sort is stable, so equal versions keep their input order.
  for (const group of groups.values()) if (group.length > 1) group.sort(compareVersions)
  return groups
}

/**
 * The latest version of each object (as {@link findById} picks it), in order of first
 * appearance of each id.
 */
export function latestVersions<T extends StixJsonObject>(objects: Iterable<T>): T[] {
  const latest: T[] = []
  for (const group of groupVersions(objects).values()) {
    const current = latestVersion(group)
    if (current !== undefined) latest.push(current)
  }
  return latest
}
