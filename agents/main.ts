import { readFileSync } from 'node:fs';
import { Agent } from './agent.ts';
import { loadAgentConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { StateFileError } from './state.ts';

// Boot only: arguments, config, the agent, signals.
const USAGE = `usage: switchyard-agent [--config FILE] [--check-config] [--version]
  --config FILE    the agent's JSON config (default: $SWITCHYARD_AGENT_CONFIG or /etc/switchyard/agent.json)
  --check-config   validate the config, print the verdict, exit 0 when it is valid
`;

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

function parseArgs(argv: string[]) {
  const args = { config: process.env.SWITCHYARD_AGENT_CONFIG || '/etc/switchyard/agent.json', check: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--config' && argv[i + 1]) args.config = argv[++i] as string;
    else if (arg?.startsWith('--config=')) args.config = arg.slice('--config='.length);
    else if (arg === '--check-config') args.check = true;
    else if (arg === '--version') {
      process.stdout.write(`switchyard-agent ${version}\n`);
      process.exit(0);
    } else {
      process.stderr.write(
        arg === '--help' || arg === '-h' ? USAGE : `switchyard-agent: unknown argument ${arg}\n${USAGE}`,
      );
      process.exit(arg === '--help' || arg === '-h' ? 0 : 2);
    }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const loaded = loadAgentConfig(args.config);
if (!loaded.ok) {
  process.stderr.write(`switchyard-agent: ${loaded.message}\n`);
  process.exit(2);
}
const { config } = loaded;
if (args.check) {
  const hooks = Object.keys(config.hooks);
  process.stdout.write(
    `config OK: ${args.config}: server ${config.agentUrl}, every ${config.intervalMs} ms, ` +
      `${config.components.length} component(s), ${config.peers.length} peer(s), hooks: ${hooks.join(', ') || 'none'}\n`,
  );
  process.exit(0);
}

const log = createLogger(config.logLevel);
let agent: Agent;
try {
  agent = new Agent(config, version, log);
} catch (error) {
  const message = error instanceof StateFileError ? error.message : `cannot start: ${String(error)}`;
  process.stderr.write(`switchyard-agent: ${message}\n`);
  process.exit(1);
}
agent.start();

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info('stopping', { signal });
  await agent.stop();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
