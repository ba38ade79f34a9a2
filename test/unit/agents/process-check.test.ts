import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findProcesses, processMatches } from '../../../agents/checks/process.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

describe('processMatches', () => {
  it.each([
    ['postgres', 'postgres', '/usr/lib/postgresql/16/bin/postgres', true],
    ['postgres', 'postgres: check', 'postgres: checkpointer', false],
    ['nginx', 'nginx', 'nginx: master process /usr/sbin/nginx', true],
    ['java-service-name', 'java', '/usr/bin/java', false],
    ['kube-controller-manager', 'kube-controller', '/usr/local/bin/kube-controller-manager', true],
    ['kube-controller-manager', 'kube-controller', '', true],
    ['redis', 'redis-server', '/usr/bin/redis-server', false],
  ])('%s vs comm %j, argv0 %j → %s', (name, comm, argv0, expected) => {
    expect(processMatches(name, comm, argv0)).toBe(expected);
  });
});

describe('findProcesses', () => {
  const proc = makeTempDir();
  afterAll(() => proc.cleanup());

  it('reads comm and cmdline of every numeric entry, skipping vanished ones', async () => {
    const add = (pid: string, comm: string, cmdline: string) => {
      mkdirSync(join(proc.path, pid));
      writeFileSync(join(proc.path, pid, 'comm'), `${comm}\n`);
      writeFileSync(join(proc.path, pid, 'cmdline'), cmdline);
    };
    add('10', 'postgres', '/usr/bin/postgres\0-D\0/data\0');
    add('11', 'bash', '/bin/bash\0');
    add('12', 'postgres', 'postgres: walwriter\0');
    mkdirSync(join(proc.path, '13')); // exited between readdir and read
    mkdirSync(join(proc.path, 'self'));
    expect(await findProcesses('postgres', proc.path)).toEqual([10, 12]);
    expect(await findProcesses('mysqld', proc.path)).toEqual([]);
  });

  it('finds this test process in the real /proc', async () => {
    expect(await findProcesses('node')).toContain(process.pid);
  });
});
