/**
 * The JSON bodies the admin API accepts, as zod schemas (the OpenAPI document shows them as
 * JSON Schema). Objects are strict: an unknown property is a 400 naming it, so a typo never
 * silently does nothing.
 */
import { z } from 'zod'
import { distributionScopes, roles } from '../accounts/admin-service.js'
import { TLP_LEVELS } from '../sharing/tlp.js'
import type { DistributionScope, Role, TlpLevel } from '../store/store.js'

const ref = z.string().min(1).max(200)
export const roleSchema = z.enum(roles as [Role, ...Role[]])
export const tlpSchema = z.enum(TLP_LEVELS as [TlpLevel, ...TlpLevel[]])
export const scopeSchema = z.enum(distributionScopes as [DistributionScope, ...DistributionScope[]])

export const distributionSchema = z.strictObject({
  scope: scopeSchema,
  groups: z.array(ref).max(100).optional().describe('sharing group names or ids (scope groups)'),
  recipients: z.array(ref).max(1000).optional().describe('named recipient organisations'),
})

export const ceilingSchema = z.strictObject({
  tlp: tlpSchema.optional().describe('the least restrictive TLP allowed'),
  scope: scopeSchema.optional().describe('the widest distribution scope allowed'),
})

export const organisationCreateSchema = z.strictObject({
  name: z.string().min(1).max(200),
  identityId: z.string().optional().describe('its STIX identity id (default: a new one)'),
})

export const userCreateSchema = z.strictObject({
  name: z.string().min(1).max(64),
  org: ref.optional().describe("organisation name or id (default: the caller's)"),
  role: roleSchema.default('reader'),
  password: z
    .string()
    .max(1024)
    .nullable()
    .optional()
    .describe('null: API keys only; absent: a password is generated and returned once'),
})

export const roleChangeSchema = z.strictObject({ role: roleSchema })

export const passwordResetSchema = z.strictObject({
  password: z.string().max(1024).optional().describe('absent: generated and returned once'),
})

export const keyCreateSchema = z.strictObject({
  user: ref.optional().describe('the user name or id (default: the caller)'),
  label: z.string().max(200).optional(),
})

export const groupCreateSchema = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  owner: ref.optional().describe("owner organisation (default: the caller's)"),
  members: z.array(ref).max(1000).optional().describe('member organisations (names or ids)'),
})

export const groupUpdateSchema = z.strictObject({ description: z.string().max(2000) })

export const organisationSharingSchema = z.strictObject({
  defaultDistribution: distributionSchema.nullable().optional(),
  anonymousByDefault: z.boolean().optional(),
  ceilings: z
    .strictObject({
      roles: z.partialRecord(roleSchema, ceilingSchema.nullable()).optional(),
      users: z
        .record(ref, ceilingSchema.nullable())
        .optional()
        .describe('by user name or id; null removes'),
    })
    .optional(),
})

export const apiRootCreateSchema = z.strictObject({
  path: z.string().min(1).max(64),
  title: z.string().max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  maxContentLength: z.number().int().optional(),
})

export const collectionCreateSchema = z.strictObject({
  alias: z.string().min(1).max(64),
  title: z.string().max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  apiRoot: ref.default('api1').describe('API root path or id'),
  mediaTypes: z.array(z.string().max(200)).max(20).optional(),
  defaultDistribution: distributionSchema.optional(),
  public: z.boolean().optional(),
})

export const collectionUpdateSchema = z.strictObject({
  public: z.boolean().optional(),
  defaultDistribution: distributionSchema.optional(),
})

export const grantSchema = z.strictObject({
  org: ref.optional(),
  user: ref.optional(),
  canRead: z.boolean(),
  canWrite: z.boolean(),
})

export const nodeSettingsSchema = z.strictObject({
  defaultTlp: tlpSchema.optional(),
  allianceIdentityId: z.string().optional(),
})
