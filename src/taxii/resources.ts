/**
 * TAXII 2.1 resources as zod schemas, with their inferred types: discovery, API root,
 * collection(s), manifest, envelope, status, versions and the error message
 * (TAXII 2.1 sections 3.6.1, 3.7, 4.1.1, 4.2.1, 4.3.1, 5.1.1, 5.2.1, 5.3.1, 5.8.1).
 *
 * Server and client share these shapes. Unknown (custom) properties are allowed on every
 * resource (section 7.1), so each object schema is `loose`.
 */
import { z } from 'zod'

/** The TAXII 2.1 media type with its version parameter (section 1.6.8). */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'

/** The STIX 2.1 media type, the default of a collection's `media_types` (section 5.2.1). */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1'

/**
 * The TAXII `timestamp` type: RFC 3339, UTC with `Z`, microsecond precision (section 2).
 * Readers accept any fractional precision, as long as the value is UTC.
 */
export const taxiiTimestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'expected an RFC 3339 UTC timestamp')

/** A non-empty list: TAXII forbids empty lists (section 2, `list`). */
function list<T extends z.ZodType>(item: T) {
  return z.array(item).min(1)
}

/** The discovery resource (section 4.1.1). */
export const discoverySchema = z.looseObject({
  title: z.string(),
  description: z.string().optional(),
  contact: z.string().optional(),
  default: z.string().optional(),
  api_roots: list(z.string()).optional(),
})
export type Discovery = z.infer<typeof discoverySchema>

/** The api-root resource (section 4.2.1). */
export const apiRootResourceSchema = z.looseObject({
  title: z.string(),
  description: z.string().optional(),
  versions: list(z.string()),
  max_content_length: z.number().int().positive(),
})
export type ApiRootResource = z.infer<typeof apiRootResourceSchema>

/** The collection resource (section 5.2.1). */
export const collectionResourceSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  alias: z.string().optional(),
  can_read: z.boolean(),
  can_write: z.boolean(),
  media_types: list(z.string()).optional(),
})
export type CollectionResource = z.infer<typeof collectionResourceSchema>

/** The collections resource (section 5.1.1): the key is omitted when there are none. */
export const collectionsResourceSchema = z.looseObject({
  collections: list(collectionResourceSchema).optional(),
})
export type CollectionsResource = z.infer<typeof collectionsResourceSchema>

/** One manifest-record (section 5.3.1). */
export const manifestRecordSchema = z.looseObject({
  id: z.string(),
  date_added: taxiiTimestampSchema,
  version: z.string(),
  media_type: z.string().optional(),
})
export type ManifestRecord = z.infer<typeof manifestRecordSchema>

/**
 * The manifest resource (section 5.3.1). `next` is not in the table of section 5.3.1, but the
 * manifest endpoint accepts the `next` parameter (section 5.3), so intelmesh returns it here
 * with the meaning it has in the envelope (section 3.7).
 */
export const manifestResourceSchema = z.looseObject({
  more: z.boolean().optional(),
  next: z.string().optional(),
  objects: list(manifestRecordSchema).optional(),
})
export type ManifestResource = z.infer<typeof manifestResourceSchema>

/** The envelope (section 3.7): STIX objects with paging hints. */
export const envelopeSchema = z.looseObject({
  more: z.boolean().optional(),
  next: z.string().optional(),
  objects: list(z.looseObject({})).optional(),
})
export type Envelope = z.infer<typeof envelopeSchema>

/** A status-details entry (section 4.3.1). */
export const statusDetailsSchema = z.looseObject({
  id: z.string(),
  version: z.string(),
  message: z.string().optional(),
})
export type StatusDetails = z.infer<typeof statusDetailsSchema>

/** The status resource (section 4.3.1). */
export const statusResourceSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['complete', 'pending']),
  request_timestamp: taxiiTimestampSchema.optional(),
  total_count: z.number().int().nonnegative(),
  success_count: z.number().int().nonnegative(),
  successes: list(statusDetailsSchema).optional(),
  failure_count: z.number().int().nonnegative(),
  failures: list(statusDetailsSchema).optional(),
  pending_count: z.number().int().nonnegative(),
  pendings: list(statusDetailsSchema).optional(),
})
export type StatusResource = z.infer<typeof statusResourceSchema>

/**
 * The versions resource (section 5.8.1). `next` is returned as in the envelope, because the
 * endpoint accepts the `next` parameter (section 5.8).
 */
export const versionsResourceSchema = z.looseObject({
  more: z.boolean().optional(),
  next: z.string().optional(),
  versions: list(z.string()).optional(),
})
export type VersionsResource = z.infer<typeof versionsResourceSchema>

/** The error message (section 3.6.1); `http_status` is a string equal to the HTTP status. */
export const errorMessageSchema = z.looseObject({
  title: z.string(),
  description: z.string().optional(),
  error_id: z.string().optional(),
  error_code: z.string().optional(),
  http_status: z.string().optional(),
  external_details: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
})
export type ErrorMessage = z.infer<typeof errorMessageSchema>
