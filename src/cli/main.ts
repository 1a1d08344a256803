/**
 * The composition root: parses the command line, picks the store adapter, wires services,
 * and renders every error as one line (never a stack trace for bad input).
 *
 * Each command lives in its own module under `commands/` and is listed in `registrars`.
 */
import { Command, CommanderError } from 'commander'
import { isAppError } from '../errors.js'
import { EXIT, type CliContext, type CommandRegistrar } from './context.js'
import { cliVersion } from './version.js'
import { registerPatternCommands } from './commands/pattern.js'
import { registerServeCommand } from './commands/serve.js'
import { registerOrgCommands } from './commands/org.js'
import { registerUserCommands } from './commands/user.js'
import { registerKeyCommands } from './commands/key.js'
import { registerCollectionCommands } from './commands/collection.js'
import { registerValidateCommand } from './commands/validate.js'
import { registerMatchCommand } from './commands/match.js'
import { registerDbCommands } from './commands/db.js'
import { registerAuditCommands } from './commands/audit.js'
import { registerGroupCommands } from './commands/group.js'
import { registerSharingCommands } from './commands/sharing.js'
import { registerPeerCommands } from './commands/peer.js'
import { registerSyncCommand } from './commands/sync.js'

const registrars: CommandRegistrar[] = [
  registerPatternCommands,
  registerMatchCommand,
  registerValidateCommand,
  registerServeCommand,
  registerOrgCommands,
  registerUserCommands,
  registerKeyCommands,
  registerCollectionCommands,
  registerDbCommands,
  registerAuditCommands,
  registerPeerCommands,
  registerSyncCommand,
  registerGroupCommands,
  registerSharingCommands,
]

export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
  program
    .name('intelmesh')
    .description(
      'Threat-intelligence sharing for security alliances: STIX 2.1, TAXII 2.1, federated nodes.',
    )
    .version(cliVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
  for (const register of registrars) register(program, ctx)
  return program
}

function processContext(): CliContext {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    setExitCode: () => undefined,
  }
}

/** Runs the CLI on `argv` (as `process.argv`: node, script, args...) and returns the exit code. */
export async function main(
  argv: readonly string[],
  context: Partial<CliContext> = {},
): Promise<number> {
  let exitCode: number = EXIT.ok
  const ctx: CliContext = {
    ...processContext(),
    ...context,
    setExitCode: (code) => {
      exitCode = code
    },
  }
  const program = buildProgram(ctx)
  try {
    await program.parseAsync([...argv])
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.unusable
    }
    if (isAppError(error) && error.kind === 'client') {
      ctx.stderr.write(`intelmesh: ${error.message}\n`)
      return EXIT.unusable
    }
    const message = error instanceof Error ? error.message : String(error)
    ctx.stderr.write(`intelmesh: internal error: ${message}\n`)
    if (ctx.env['INTELMESH_DEBUG']) console.error(error)
    return EXIT.unusable
  }
}
