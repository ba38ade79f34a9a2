import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import snmp from 'net-snmp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Transition } from '../../../server/modules/destinations/notification.ts';
import {
  buildVarbinds,
  NOTIFICATION_OIDS,
  OBJECT_OIDS,
  type ObjectName,
  SEVERITY_VALUES,
  STATE_VALUES,
  SWITCHYARD_MIB_OID,
} from '../../../server/modules/destinations/senders/snmp.ts';
import { makeNotification } from '../../helpers/alert-notification.ts';
import {
  requireNetSnmpTool,
  SNMPTRANSLATE,
  STANDARD_MIB_DIR,
  SWITCHYARD_MIB_DIR,
  SWITCHYARD_MIB_FILE,
} from '../../helpers/snmptrapd.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/**
 * SWITCHYARD-MIB checked by two independent parsers, and against the sender.
 *
 * Net-SNMP's `snmptranslate` (Debian package `snmp`) parses it with warnings
 * on (-PW). Debian ships no IETF MIBs, so -M names only net-snmp's bundled
 * copies of SNMPv2-SMI, -TC and -CONF (node_modules/net-snmp/lib/mibs) and the
 * MIB's own folder: the MIB needs nothing else. Net-SNMP does not check the
 * OBJECTS of a NOTIFICATION-TYPE; the ModuleStore tests below do. smilint (Debian `smitools`)
 * is stricter but not installed in CI; run by hand it reports nothing at
 * level 9:
 *   smilint -l 9 -p node_modules/net-snmp/lib/mibs/SNMPv2-SMI.mib \
 *     -p node_modules/net-snmp/lib/mibs/SNMPv2-TC.mib \
 *     -p node_modules/net-snmp/lib/mibs/SNMPv2-CONF.mib \
 *     server/modules/destinations/snmp/SWITCHYARD-MIB.txt
 */

const NOTIFICATION_NAMES: Record<Transition, string> = {
  raised: 'swAlertRaised',
  repeated: 'swAlertRepeated',
  cleared: 'swAlertCleared',
  acknowledged: 'swAlertAcknowledged',
  test: 'swTest',
};
const OBJECT_NAMES = Object.keys(OBJECT_OIDS) as ObjectName[];

const persistent = makeTempDir('switchyard-snmptranslate-');
afterAll(() => persistent.cleanup());

function snmptranslate(args: string[]): { stdout: string; stderr: string } {
  requireNetSnmpTool(SNMPTRANSLATE);
  const result = spawnSync(
    SNMPTRANSLATE,
    ['-PW', '-M', `${STANDARD_MIB_DIR}:${SWITCHYARD_MIB_DIR}`, '-m', 'SWITCHYARD-MIB', ...args],
    // Net-SNMP tools write state under SNMP_PERSISTENT_DIR (/var/lib/snmp otherwise)
    { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', SNMP_PERSISTENT_DIR: join(persistent.path, 'state') } },
  );
  expect(result.error).toBeUndefined();
  expect(result.status).toBe(0);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Diagnostics about our file (net-snmp's copies of the IETF MIBs draw a warning of their own). */
function complaintsAboutSwitchyard(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /SWITCHYARD-MIB|Cannot find module|Unknown Object Identifier/.test(line));
}

describe('SWITCHYARD-MIB parsed by Net-SNMP (snmptranslate -PW)', () => {
  it('resolves every notification and varbind to the OID the sender uses, without a warning', () => {
    const names = [...Object.values(NOTIFICATION_NAMES), ...OBJECT_NAMES];
    const { stdout, stderr } = snmptranslate(['-On', ...names.map((name) => `SWITCHYARD-MIB::${name}`)]);
    expect(complaintsAboutSwitchyard(stderr)).toEqual([]);
    const expected = [...Object.values(NOTIFICATION_OIDS), ...OBJECT_NAMES.map((name) => OBJECT_OIDS[name])].map(
      (oid) => `.${oid}`,
    );
    expect(stdout.split('\n').filter(Boolean)).toEqual(expected);
  });

  it('gives no varbind more octets than the MIB allows', () => {
    const { stdout, stderr } = snmptranslate(['-Td', ...OBJECT_NAMES.map((name) => `SWITCHYARD-MIB::${name}`)]);
    expect(complaintsAboutSwitchyard(stderr)).toEqual([]);
    // "SYNTAX	OCTET STRING (0..255)" or "(8 | 11)" per object, in the order asked
    const sizes = stdout
      .split(/^SWITCHYARD-MIB::/m)
      .slice(1)
      .map((block) => {
        const match = /SYNTAX\s+OCTET STRING \(([^)]*)\)/.exec(block);
        return match ? Math.max(...(match[1] ?? '').split(/\.\.|\|/).map(Number)) : null;
      });
    const huge = 'ü'.repeat(5000);
    const varbinds = buildVarbinds(
      makeNotification({
        idempotencyKey: huge,
        pairName: huge,
        nodeName: huge,
        source: huge,
        alert: { message: huge, ack: { by: huge, at: '2026-11-23T16:31:00.000Z', comment: huge } },
      }),
    );
    varbinds.forEach((varbind, i) => {
      const max = sizes[i];
      if (varbind.type === snmp.ObjectType.OctetString) {
        expect(max, OBJECT_NAMES[i]).not.toBeNull();
        expect((varbind.value as Buffer).length, OBJECT_NAMES[i]).toBeLessThanOrEqual(max as number);
      } else {
        expect(max, `${OBJECT_NAMES[i]} is not an OCTET STRING in the MIB`).toBeNull();
      }
    });
  });
});

/** The bits of net-snmp's (untyped) ModuleStore that this test reads. */
interface MibEntry {
  MACRO?: string;
  OID?: string;
  OBJECTS?: string[];
  SYNTAX?: string | Record<string, unknown>;
  'MAX-ACCESS'?: string;
}

describe('SWITCHYARD-MIB parsed by net-snmp (the npm package) and compared with the sender', () => {
  const store = snmp.createModuleStore();
  store.loadFromFile(SWITCHYARD_MIB_FILE);
  const mib = store.getModule('SWITCHYARD-MIB') as Record<string, MibEntry>;
  const entry = (name: string): MibEntry => mib[name] ?? {};

  it('sits where the sender says: enterprises.SWITCHYARD_PEN', () => {
    expect(entry('switchyardMIB')).toMatchObject({ MACRO: 'MODULE-IDENTITY', OID: SWITCHYARD_MIB_OID });
  });

  it.each(Object.entries(NOTIFICATION_NAMES) as [Transition, string][])(
    'the %s transition is %s, carrying exactly the varbinds the sender sends, in order',
    (transition, name) => {
      expect(entry(name)).toMatchObject({
        MACRO: 'NOTIFICATION-TYPE',
        OID: NOTIFICATION_OIDS[transition],
        OBJECTS: OBJECT_NAMES,
      });
      const sent = buildVarbinds(makeNotification({ transition })).map((v) => v.oid);
      expect(sent).toEqual(OBJECT_NAMES.map((object) => `${entry(object).OID}.0`));
    },
  );

  it('declares each varbind accessible-for-notify with the type the sender encodes', () => {
    const { Gauge, Integer, OctetString } = snmp.ObjectType;
    const wireType: Record<string, number> = {
      Unsigned32: Gauge,
      SwSeverity: Integer,
      SwState: Integer,
      DisplayString: OctetString,
      SwUtf8String: OctetString,
      DateAndTime: OctetString,
    };
    const sent = buildVarbinds(makeNotification());
    OBJECT_NAMES.forEach((name, i) => {
      const { SYNTAX: syntax, 'MAX-ACCESS': access } = entry(name);
      // a refined syntax comes as { DisplayString: { sizes } }
      const base = typeof syntax === 'string' ? syntax : Object.keys(syntax ?? {})[0];
      expect(access, name).toBe('accessible-for-notify');
      expect(wireType[base ?? ''], `${name} (${base})`).toBe(sent[i]?.type);
    });
  });

  it('enumerates severities and states with the numbers the sender sends', () => {
    const camel = (label: string) => label.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const enumeration = (values: Record<string, number>) =>
      Object.fromEntries(Object.entries(values).map(([label, n]) => [String(n), camel(label)]));
    expect(entry('SwSeverity').SYNTAX).toEqual({ INTEGER: enumeration(SEVERITY_VALUES) });
    expect(entry('SwState').SYNTAX).toEqual({ INTEGER: enumeration(STATE_VALUES) });
  });
});
