import type { ComponentResult } from '../../server/contract/agent-protocol.ts';
import { type ComponentConfig, defaultCheckTimeout } from '../config.ts';
import { lastLine } from '../output.ts';
import { runCommand } from '../run-command.ts';
import { probeHttp } from './http.ts';
import { findProcesses } from './process.ts';
import { probeTcp } from './tcp.ts';

/** Runs one critical component's check; never throws, never outlives its timeout by much. */
export async function checkComponent(component: ComponentConfig, intervalMs: number): Promise<ComponentResult> {
  const timeoutMs = component.timeoutMs ?? defaultCheckTimeout(intervalMs);
  const started = performance.now();
  const result = (healthy: boolean, detail: string): ComponentResult => ({
    name: component.name,
    kind: component.kind,
    healthy,
    detail: detail.slice(0, 500),
    durationMs: Math.round(performance.now() - started),
  });
  try {
    switch (component.kind) {
      case 'process': {
        const pids = await withTimeout(findProcesses(component.process), timeoutMs);
        if (pids.length === 0) return result(false, `no process named ${component.process}`);
        return result(true, `pid ${pids.slice(0, 5).join(', ')}${pids.length > 5 ? ` (+${pids.length - 5})` : ''}`);
      }
      case 'tcp': {
        const ms = await probeTcp(component.host, component.port, timeoutMs);
        return result(true, `${component.host}:${component.port} accepted in ${ms} ms`);
      }
      case 'http': {
        const status = await probeHttp(component.url, timeoutMs);
        const expected = Array.isArray(component.expectStatus) ? component.expectStatus : [component.expectStatus];
        return expected.includes(status)
          ? result(true, `HTTP ${status}`)
          : result(false, `HTTP ${status}, expected ${expected.join(' or ')}`);
      }
      case 'command': {
        const outcome = await runCommand(component.command, { timeoutMs });
        const note = lastLine(outcome.output);
        if (outcome.timedOut) return result(false, `no exit within ${timeoutMs} ms`);
        return outcome.exitCode === 0
          ? result(true, note || 'exit 0')
          : result(false, `exit ${outcome.exitCode}${note ? `: ${note}` : ''}`);
      }
    }
  } catch (error) {
    return result(false, error instanceof Error ? error.message : String(error));
  }
}

export function checkAll(components: ComponentConfig[], intervalMs: number): Promise<ComponentResult[]> {
  return Promise.all(components.map((component) => checkComponent(component, intervalMs)));
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
