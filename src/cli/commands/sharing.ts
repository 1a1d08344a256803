/**
 * `intelmesh sharing explain`: why a viewer sees (or not) each version of an object; and
 * `intelmesh node show|set`: the node's sharing settings (default TLP, alliance identity).
 * Also the option parsers the `org sharing` and `collection update` commands share.
 * Everything goes through the sharing services as the local CLI actor (audited as `system`).
 */
import { localCliActor } from '../../accounts/admin-service.js'
import { AppError } from '../../errors.js'
import { explainVisibility, formatExplanation } from '../../sharing/explain.js'
import {
  SharingService,
  type CeilingInput,
  type DistributionInput,
  type NodeSharingSettings,
} from '../../sharing/sharing-service.js'
import { TLP_LEVELS, isTlpLevel } from '../../sharing/tlp.js'
import type { DistributionScope, Role } from '../../store/store.js'
import type { CommandRegistrar } from '../context.js'
import { printJson, runAdmin, withAdminOptions, type AdminOptions } from './admin-support.js'

const scopes: readonly DistributionScope[] = ['organisation', 'groups', 'community', 'federation']
const roleNames: readonly Role[] = ['admin', 'analyst', 'reader']

function usage(detail: string): AppError {
  return new AppError('CLI_USAGE', { detail })
}

/** Splits `a,b , c` into names (empty parts dropped). */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/**
 * `--default-distribution <scope>` with `--groups` and `--recipients` as a distribution;
 * `none` gives null (when `allowNone`), absent gives undefined.
 */
export function distributionOption(
  options: { defaultDistribution?: string; groups?: string; recipients?: string },
  allowNone: boolean,
): DistributionInput | null | undefined {
  const scope = options.defaultDistribution
  if (scope === undefined) {
    if (options.groups !== undefined || options.recipients !== undefined) {
      throw usage('--groups and --recipients go with --default-distribution <scope>')
    }
    return undefined
  }
  if (scope === 'none' && allowNone) return null
  const known = scopes.find((s) => s === scope)
  if (known === undefined) {
    throw usage(
      `--default-distribution "${scope}" is not one of ${scopes.join(', ')}${allowNone ? ', none' : ''}`,
    )
  }
  return {
    scope: known,
    groups: splitList(options.groups),
    recipients: splitList(options.recipients),
  }
}

/** `on`/`off` (also yes/no, true/false) as a boolean; 2 with a clear message otherwise. */
export function onOff(value: string | undefined, option: string): boolean | undefined {
  if (value === undefined) return undefined
  if (/^(on|yes|true)$/i.test(value)) return true
  if (/^(off|no|false)$/i.test(value)) return false
  throw usage(`${option} takes on or off, not "${value}"`)
}

/** One `--ceiling role=analyst,tlp=amber,scope=community` (or `user=<name>,...`). */
export function parseCeiling(text: string): {
  subject: { role: Role } | { user: string }
  ceiling: CeilingInput
} {
  let subject: { role: Role } | { user: string } | undefined
  const ceiling: CeilingInput = {}
  for (const part of splitList(text)) {
    const eq = part.indexOf('=')
    const key = eq > 0 ? part.slice(0, eq).trim() : part
    const value = eq > 0 ? part.slice(eq + 1).trim() : ''
    if (key === 'role') {
      const role = roleNames.find((r) => r === value)
      if (role === undefined) {
        throw usage(`--ceiling role "${value}" is not one of ${roleNames.join(', ')}`)
      }
      subject = { role }
    } else if (key === 'user' && value !== '') {
      subject = { user: value }
    } else if (key === 'tlp') {
      if (!isTlpLevel(value)) {
        throw usage(`--ceiling tlp "${value}" is not one of ${TLP_LEVELS.join(', ')}`)
      }
      ceiling.tlp = value
    } else if (key === 'scope') {
      const scope = scopes.find((s) => s === value)
      if (scope === undefined) {
        throw usage(`--ceiling scope "${value}" is not one of ${scopes.join(', ')}`)
      }
      ceiling.scope = scope
    } else {
      throw usage(
        `--ceiling "${text}": "${part}" is not role=, user=, tlp= or scope= (e.g. role=analyst,tlp=amber,scope=community)`,
      )
    }
  }
  if (subject === undefined) throw usage(`--ceiling "${text}" names no role= or user=`)
  return { subject, ceiling }
}

function allianceText(settings: NodeSharingSettings): string {
  if (settings.allianceIdentityId === null) return '(none: the node is not bootstrapped yet)'
  return settings.allianceIdentityConfigured
    ? settings.allianceIdentityId
    : `${settings.allianceIdentityId} (the node organisation's identity)`
}

interface ExplainOptions extends AdminOptions {
  object: string
  viewer: string
}

export const registerSharingCommands: CommandRegistrar = (program, ctx) => {
  const sharing = program
    .command('sharing')
    .description('Inspect the sharing rule (issue 5): who sees what, and why')

  withAdminOptions(
    sharing
      .command('explain')
      .description(
        'For each stored version of an object: does the viewer see it, and which rule decided',
      )
      .requiredOption('--object <id>', 'the STIX id of the object')
      .requiredOption(
        '--viewer <ref>',
        'an organisation or user (name or id; prefix org:, user: or peer: when ambiguous), or public',
      ),
  ).action(async (options: ExplainOptions) => {
    const explanation = await runAdmin(ctx, options, (_admin, store) =>
      explainVisibility(store, localCliActor, { object: options.object, viewer: options.viewer }),
    )
    if (options.json) printJson(ctx, explanation)
    else ctx.stdout.write(formatExplanation(explanation))
  })

  const node = program.command('node').description("The node's sharing settings")

  withAdminOptions(
    node.command('show').description('Show the default TLP and the alliance identity'),
  ).action(async (options: AdminOptions) => {
    const settings = await runAdmin(ctx, options, (_admin, store) =>
      new SharingService(store, localCliActor).getNodeSettings(),
    )
    if (options.json) return printJson(ctx, settings)
    ctx.stdout.write(
      `default TLP        ${settings.defaultTlp}${settings.defaultTlpConfigured ? '' : ' (built-in default)'}\n` +
        `alliance identity  ${allianceText(settings)}\n`,
    )
  })

  const set = node.command('set').description('Change a node setting (audited)')
  withAdminOptions(
    set
      .command('default-tlp')
      .description('The TLP of objects that carry no TLP marking')
      .argument('<level>', TLP_LEVELS.join(' | ')),
  ).action(async (level: string, options: AdminOptions) => {
    if (!isTlpLevel(level)) {
      throw usage(`TLP level "${level}" is not one of ${TLP_LEVELS.join(', ')}`)
    }
    const settings = await runAdmin(ctx, options, (_admin, store) =>
      new SharingService(store, localCliActor).updateNodeSettings({ defaultTlp: level }),
    )
    if (options.json) return printJson(ctx, settings)
    ctx.stdout.write(`default TLP is now ${settings.defaultTlp}\n`)
  })
  withAdminOptions(
    set
      .command('alliance-identity')
      .description('The identity anonymous objects are attributed to')
      .argument('<identity-id>', 'identity--<uuid>'),
  ).action(async (identityId: string, options: AdminOptions) => {
    const settings = await runAdmin(ctx, options, (_admin, store) =>
      new SharingService(store, localCliActor).updateNodeSettings({
        allianceIdentityId: identityId,
      }),
    )
    if (options.json) return printJson(ctx, settings)
    ctx.stdout.write(`alliance identity is now ${settings.allianceIdentityId ?? ''}\n`)
  })
}
