/**
 * `intelmesh org add|list|sharing`: the organisations of the node and their sharing defaults
 * and ceilings, through the authorised services as the local CLI actor (audited as `system`).
 */
import { AuthorisedAdmin, localCliActor } from '../../accounts/admin-service.js'
import {
  SharingService,
  type CeilingInput,
  type OrganisationSharingPatch,
  type OrganisationSharingView,
} from '../../sharing/sharing-service.js'
import type { Role } from '../../store/store.js'
import type { CommandRegistrar } from '../context.js'
import {
  printJson,
  printTable,
  runAdmin,
  withAdminOptions,
  type AdminOptions,
} from './admin-support.js'
import { collect, distributionOption, onOff, parseCeiling } from './sharing.js'

interface SharingOptions extends AdminOptions {
  defaultDistribution?: string
  groups?: string
  recipients?: string
  anonymousDefault?: string
  ceiling: string[]
  clearCeiling: string[]
}

function ceilingText(ceiling: { tlp?: string; scope?: string }): string {
  return [
    ceiling.tlp !== undefined ? `tlp=${ceiling.tlp}` : '',
    ceiling.scope !== undefined ? `scope=${ceiling.scope}` : '',
  ]
    .filter(Boolean)
    .join(',')
}

function describeSharing(view: OrganisationSharingView): string {
  const d = view.defaultDistribution
  const lines = [
    `sharing of organisation "${view.org.name}"`,
    `  default distribution  ${d === null ? "(none: the collection's default)" : `${d.scope}${d.groups.length > 0 ? ` groups=${d.groups.join(',')}` : ''}${d.recipients.length > 0 ? ` recipients=${d.recipients.join(',')}` : ''}`}`,
    `  anonymous by default  ${view.anonymousByDefault ? 'on' : 'off'}`,
  ]
  const roles = Object.entries(view.ceilings.roles)
  const users = view.ceilings.users
  if (roles.length === 0 && users.length === 0) lines.push('  ceilings              (none)')
  for (const [role, ceiling] of roles) {
    if (ceiling !== undefined) lines.push(`  ceiling role=${role}  ${ceilingText(ceiling)}`)
  }
  for (const entry of users) {
    lines.push(`  ceiling user=${entry.user.name}  ${ceilingText(entry)}`)
  }
  return `${lines.join('\n')}\n`
}

export const registerOrgCommands: CommandRegistrar = (program, ctx) => {
  const org = program.command('org').description('Manage organisations (each has a STIX identity)')

  withAdminOptions(
    org
      .command('add')
      .description('Add an organisation')
      .argument('<name>', 'the organisation name (unique)')
      .option('--identity-id <id>', 'its STIX identity id (default: a new identity--<uuid>)'),
  ).action(async (name: string, options: AdminOptions & { identityId?: string }) => {
    const created = await runAdmin(ctx, options, (_admin, store) =>
      new AuthorisedAdmin(store, localCliActor).createOrganisation(
        name,
        options.identityId !== undefined ? { identityId: options.identityId } : {},
      ),
    )
    if (options.json) printJson(ctx, created)
    else {
      ctx.stdout.write(
        `added organisation "${created.name}" (id ${created.id}, identity ${created.identityId})\n`,
      )
    }
  })

  withAdminOptions(org.command('list').description('List organisations')).action(
    async (options: AdminOptions) => {
      const orgs = await runAdmin(ctx, options, (admin) => admin.listOrganisations())
      if (options.json) return printJson(ctx, orgs)
      printTable(
        ctx,
        ['NAME', 'ID', 'IDENTITY', 'CREATED'],
        orgs.map((o) => [o.name, o.id, o.identityId, o.createdAt]),
        'no organisations',
      )
    },
  )

  withAdminOptions(
    org
      .command('sharing')
      .description(
        "Show or change an organisation's sharing: default distribution, anonymous publishing, ceilings",
      )
      .argument('<org>', 'the organisation name or id')
      .option(
        '--default-distribution <scope>',
        'organisation, groups, community, federation, or none (use the collection default)',
      )
      .option('--groups <names>', 'sharing groups of the default distribution (comma-separated)')
      .option('--recipients <orgs>', 'named recipient organisations (comma-separated)')
      .option('--anonymous-default <on|off>', 'publish anonymously unless a POST says otherwise')
      .option(
        '--ceiling <spec>',
        'role=<role>|user=<name>, then tlp=<level> and/or scope=<scope> (repeatable)',
        collect,
        [],
      )
      .option('--clear-ceiling <subject>', 'role=<role> or user=<name> (repeatable)', collect, []),
  ).action(async (ref: string, options: SharingOptions) => {
    const patch: OrganisationSharingPatch = {}
    const distribution = distributionOption(options, true)
    if (distribution !== undefined) patch.defaultDistribution = distribution
    const anonymous = onOff(options.anonymousDefault, '--anonymous-default')
    if (anonymous !== undefined) patch.anonymousByDefault = anonymous
    const roles: Partial<Record<Role, CeilingInput | null>> = {}
    const users: Record<string, CeilingInput | null> = {}
    for (const spec of options.ceiling) {
      const { subject, ceiling } = parseCeiling(spec)
      if ('role' in subject) roles[subject.role] = ceiling
      else users[subject.user] = ceiling
    }
    for (const spec of options.clearCeiling) {
      const { subject } = parseCeiling(spec)
      if ('role' in subject) roles[subject.role] = null
      else users[subject.user] = null
    }
    if (Object.keys(roles).length > 0 || Object.keys(users).length > 0) {
      patch.ceilings = { roles, users }
    }
    const view = await runAdmin(ctx, options, (_admin, store) => {
      const service = new SharingService(store, localCliActor)
      return Object.keys(patch).length === 0
        ? service.getOrganisationSharing(ref)
        : service.updateOrganisationSharing(ref, patch)
    })
    if (options.json) return printJson(ctx, view)
    ctx.stdout.write(describeSharing(view))
  })
}
