import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../server/config.ts';

describe('parseConfig', () => {
  it('uses port 8080 on all interfaces and ./data by default', () => {
    const result = parseConfig({}, {}, '/srv/switchyard');
    expect(result).toMatchObject({
      ok: true,
      config: { port: 8080, host: '0.0.0.0', dataDir: '/srv/switchyard/data', logLevel: 'info' },
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'invalid configuration: PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'invalid configuration: PORT must be an integer from 0 to 65535 (got "70000")'],
    [{ PORT: '80.5' }, 'invalid configuration: PORT must be an integer from 0 to 65535 (got "80.5")'],
    [{ PORT: '-1' }, 'invalid configuration: PORT must be an integer from 0 to 65535 (got "-1")'],
    [{ HOST: '   ' }, 'invalid configuration: HOST must not be empty'],
    [
      { LOG_LEVEL: 'loud' },
      'invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      { SWITCHYARD_SHUTDOWN_TIMEOUT_MS: '5' },
      'invalid configuration: SWITCHYARD_SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 600000 (got "5")',
    ],
  ])('rejects %j with one line naming the setting', (env, message) => {
    const result = parseConfig(env);
    expect(result).toEqual({ ok: false, message });
    if (!result.ok) expect(result.message).not.toContain('\n');
  });

  it('names every bad setting at once', () => {
    const result = parseConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('PORT must be');
      expect(result.message).toContain('LOG_LEVEL must be');
    }
  });

  it('resolves the data folder against the working directory', () => {
    const result = parseConfig({ SWITCHYARD_DATA_DIR: 'state/db' }, {}, '/opt/sy');
    expect(result.ok && result.config.dataDir).toBe(resolve('/opt/sy/state/db'));
  });

  it('lets the environment override the config file, and the file override defaults', () => {
    const result = parseConfig({ PORT: '9001' }, { PORT: 9000, HOST: '127.0.0.1' });
    expect(result).toMatchObject({ ok: true, config: { port: 9001, host: '127.0.0.1' } });
  });

  it('treats an empty environment variable as unset', () => {
    const result = parseConfig({ PORT: '' }, { PORT: 9000 });
    expect(result).toMatchObject({ ok: true, config: { port: 9000 } });
  });

  it('rejects unknown keys and wrong types in the config file', () => {
    const result = parseConfig({}, { PROT: 8080, HOST: ['a'] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('PROT is not a setting');
      expect(result.message).toContain('HOST must be');
    }
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));

  it('reads SWITCHYARD_CONFIG as JSON', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ PORT: 7000, LOG_LEVEL: 'warn' }));
    expect(loadConfig({ SWITCHYARD_CONFIG: file })).toMatchObject({
      ok: true,
      config: { port: 7000, logLevel: 'warn' },
    });
  });

  it('names the file when it is not JSON', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, 'PORT=1');
    const result = loadConfig({ SWITCHYARD_CONFIG: file });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(`SWITCHYARD_CONFIG file ${file} cannot be read as JSON`);
  });

  it('names the file when it is missing', () => {
    const result = loadConfig({ SWITCHYARD_CONFIG: join(dir, 'missing.json') });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('missing.json cannot be read');
  });

  it('refuses a file that is not an object', () => {
    const file = join(dir, 'array.json');
    writeFileSync(file, '[1]');
    expect(loadConfig({ SWITCHYARD_CONFIG: file })).toMatchObject({ ok: false });
  });
});
