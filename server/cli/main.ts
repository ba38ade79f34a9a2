import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCommandLine } from './args.ts';
import { runCommand } from './commands.ts';
import { failureOf } from './errors.ts';
import { apiClient } from './http.ts';

// Boot only: arguments and environment in, one command run, text out, an exit code.

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

async function main(): Promise<number> {
  const parsed = parseCommandLine(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    process.stderr.write(`switchyard: ${parsed.error}\n\n${parsed.usage}`);
    return 2;
  }
  const { globals, command } = parsed;
  const api = apiClient({ baseUrl: globals.server, token: globals.token, userAgent: `switchyard-cli/${version}` });
  try {
    process.stdout.write(
      await runCommand(command, { api, json: globals.json, now: Date.now, sleep: (ms) => sleep(ms) }),
    );
    return 0;
  } catch (error) {
    const failure = failureOf(error, globals.json);
    if (failure.stdout) process.stdout.write(failure.stdout);
    process.stderr.write(`switchyard: ${failure.message}\n`);
    return failure.exitCode;
  }
}

// exitCode rather than exit(): stdout may be a pipe that still has to drain.
process.exitCode = await main();
