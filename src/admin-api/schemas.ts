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

// Responses. Strict too: the app checks answers against them when asked (the tests do), so a
// field added to a record (a hash, say) cannot reach a client unnoticed.

const nullableString = z.string().nullable()
export const namedRefSchema = z.strictObject({ id: z.string(), name: z.string() })
const storedDistributionSchema = z.strictObject({
  scope: scopeSchema,
  groups: z.array(z.string()),
  recipients: z.array(z.string()),
})

export const organisationSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  identityId: z.string(),
  createdAt: z.string(),
})

export const userViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  role: roleSchema,
  hasPassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.string(),
})

export const apiKeyViewSchema = z.strictObject({
  id: z.string(),
  prefix: z.string(),
  userId: z.string(),
  userName: z.string(),
  label: z.string(),
  revoked: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: nullableString,
  peerId: nullableString,
})

export const meSchema = z.strictObject({
  user: userViewSchema.nullable(),
  isNodeAdmin: z.boolean(),
  peerId: nullableString,
})

export const groupViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  owner: namedRefSchema,
  description: z.string(),
  members: z.array(namedRefSchema),
  createdAt: z.string(),
})

export const memberChangeSchema = z.strictObject({ group: groupViewSchema, changed: z.boolean() })

export const organisationSharingViewSchema = z.strictObject({
  org: namedRefSchema,
  defaultDistribution: storedDistributionSchema.nullable(),
  anonymousByDefault: z.boolean(),
  ceilings: z.strictObject({
    roles: z.partialRecord(roleSchema, ceilingSchema),
    users: z.array(ceilingSchema.extend({ user: namedRefSchema })),
  }),
})

export const apiRootSchema = z.strictObject({
  id: z.string(),
  path: z.string(),
  title: z.string(),
  description: nullableString,
  maxContentLength: z.number().int(),
  createdAt: z.string(),
})

export const collectionSchema = z.strictObject({
  id: z.string(),
  apiRootId: z.string(),
  alias: z.string(),
  title: z.string(),
  description: nullableString,
  mediaTypes: z.array(z.string()),
  defaultDistribution: storedDistributionSchema,
  public: z.boolean(),
  createdAt: z.string(),
})

export const grantViewSchema = z.strictObject({
  collectionId: z.string(),
  subjectKind: z.enum(['org', 'user']),
  subjectId: z.string(),
  canRead: z.boolean(),
  canWrite: z.boolean(),
})

export const collectionListingSchema = z.strictObject({
  collection: collectionSchema,
  apiRootPath: z.string(),
  grants: z.array(grantViewSchema.extend({ subjectName: z.string() })),
})

export const nodeSettingsViewSchema = z.strictObject({
  defaultTlp: tlpSchema,
  defaultTlpConfigured: z.boolean(),
  allianceIdentityId: nullableString,
  allianceIdentityConfigured: z.boolean(),
  nodeOrgId: nullableString,
})

export const explanationSchema = z.strictObject({
  objectId: z.string(),
  viewer: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('organisation'), org: namedRefSchema }),
    z.strictObject({
      kind: z.literal('user'),
      user: namedRefSchema,
      org: namedRefSchema,
      role: roleSchema,
      isNodeAdmin: z.boolean(),
    }),
    z.strictObject({ kind: z.literal('peer'), peer: namedRefSchema, org: namedRefSchema }),
    z.strictObject({ kind: z.literal('public') }),
  ]),
  versions: z.array(
    z.strictObject({
      collection: z.strictObject({ id: z.string(), alias: z.string(), public: z.boolean() }),
      version: z.string(),
      dateAdded: z.string(),
      publisher: namedRefSchema.nullable(),
      tlp: tlpSchema,
      tlpSource: z.enum(['marking', 'node-default']),
      distribution: z.strictObject({
        scope: scopeSchema,
        groups: z.array(namedRefSchema),
        recipients: z.array(namedRefSchema),
      }),
      anonymous: z.boolean(),
      originPeer: nullableString,
      decision: z.strictObject({
        visible: z.boolean(),
        rule: z.string().describe('a rule code of src/sharing/policy.ts'),
        reason: z.string(),
      }),
      readsCollection: z.boolean(),
      sees: z.boolean(),
      anonymised: z.boolean(),
    }),
  ),
})

export const auditEntrySchema = z.strictObject({
  seq: z.number().int(),
  ts: z.string(),
  actor: z.strictObject({ kind: z.string(), id: z.string() }),
  action: z.string(),
  objectIds: z.array(z.string()),
  collectionId: nullableString,
  outcome: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
})

export const auditVerificationSchema = z.union([
  z.strictObject({
    ok: z.literal(true),
    entries: z.number().int(),
    head: z.strictObject({ seq: z.number().int(), hash: z.string() }).optional(),
  }),
  z.strictObject({
    ok: z.literal(false),
    entries: z.number().int(),
    broken: z.strictObject({ seq: z.number().int(), reason: z.string(), message: z.string() }),
  }),
])
