import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { CliRuntime, describeCliError, exitCodeFor } from './runtime.ts';
import { CLI_CONTRACT, type ContractCommand } from './contract.ts';
import { NotConfiguredError } from '../shared/errors.ts';

/** A command module: `src/cli/commands/<name>.command.ts` exporting `register`. Discovered, not listed. */
export interface CommandModule {
  register(program: Command, runtime: CliRuntime): void;
}

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const PACKAGE_JSON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');

/**
 * Commands that only read: on a SQLite database that does not exist they say so and create nothing (no database, no
 * secret.key) — pointed at the wrong place (not the demo's directory, say), they must not hide it behind an empty list.
 */
const READ_ONLY_COMMANDS = new Set(['list', 'show', 'logs', 'preview']);

export function connectorVersion(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
}

/** Commander's errors ("error: …" and a usage hint on a second line) as the one line the README promises. */
export function oneLineError(text: string): string {
  const line = text.trim().split(/\n+/).map((l) => l.trim()).filter(Boolean).join(' ').replace(/^error:\s*/i, '');
  return `Error: ${line} (see --help)\n`;
}

export async function buildProgram(runtime: CliRuntime): Promise<Command> {
  const program = new Command('poleepo-odoo')
    .description('Poleepo connector for Odoo 17/18/19 (Community and Enterprise, on premise, Odoo.sh, Odoo Online)')
    .version(connectorVersion(), '-V, --version', 'print the connector\'s version')
    .configureOutput({ writeOut: (s) => runtime.stdout.write(s), writeErr: (s) => runtime.stderr.write(s), outputError: (s, write) => write(oneLineError(s)) })
    .exitOverride()
    .hook('preAction', (_program, action) => {
      runtime.readOnly = READ_ONLY_COMMANDS.has(action.name());
    });
  const files = readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.command.ts')).sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(COMMANDS_DIR, file)).href)) as CommandModule;
    mod.register(program, runtime);
  }
  addMissingContractCommands(program, CLI_CONTRACT);
  for (const cmd of allCommands(program)) {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => runtime.stdout.write(s), writeErr: (s) => runtime.stderr.write(s), outputError: (s, write) => write(oneLineError(s)) });
  }
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c as Command, ...allCommands(c as Command)]);
}

/** Answers every contract command that no module registered with exit code 2 and a plain reason. */
export function addMissingContractCommands(program: Command, contract: readonly ContractCommand[]): void {
  for (const entry of contract) {
    let parent = program;
    for (const [i, name] of entry.path.entries()) {
      const existing = parent.commands.find((c) => c.name() === name) as Command | undefined;
      if (existing) {
        parent = existing;
        continue;
      }
      const isLeaf = i === entry.path.length - 1;
      const created = parent.command(name).description(isLeaf ? `${entry.summary} (not available yet)` : `${name} commands`);
      if (isLeaf) {
        created.allowUnknownOption().allowExcessArguments().helpOption('-h, --help').action(() => {
          throw new NotConfiguredError(`"${entry.path.join(' ')}" is not available yet: it arrives with ${entry.arrivesWith}.`);
        });
      }
      parent = created;
    }
  }
}

export async function runCli(argv: string[], runtime = new CliRuntime()): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram(runtime);
  } catch (error) {
    runtime.err(describeCliError(error));
    return 1;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" with exit code 0 in commander's exitOverride mode.
      return error.exitCode === 0 ? 0 : error.code === 'commander.help' ? 0 : 1;
    }
    runtime.err(describeCliError(error));
    return exitCodeFor(error);
  } finally {
    await runtime.close();
  }
}

const invokedDirectly = process.argv[1] && /poleepo-odoo(\.js)?$|cli\/main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  const code = await runCli(process.argv.slice(2));
  // Long-running commands (start, serve, work, sandbox) keep the process alive themselves and never return here
  // until they stop; everything else exits with its code.
  process.exitCode = code;
}
