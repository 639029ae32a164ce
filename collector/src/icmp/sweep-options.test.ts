import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/usage-error.js';
import { defaultSweepOptions, validateSweepOptions, type SweepOptions } from './sweep-options.js';

describe('sweep options', () => {
  it('takes one flow and automatic time stamps by default', () => {
    expect(defaultSweepOptions).toMatchObject({ flows: 1, timestamps: 'auto' });
    expect(() => validateSweepOptions(defaultSweepOptions)).not.toThrow();
    expect(() => validateSweepOptions({ ...defaultSweepOptions, flows: 64, timestamps: 'user' })).not.toThrow();
  });

  const refused: [string, Partial<SweepOptions>, RegExp][] = [
    ['flows 0', { flows: 0 }, /--flows must be a whole number from 1 to 64, got 0/],
    ['flows 65', { flows: 65 }, /--flows must be a whole number from 1 to 64, got 65/],
    ['fractional flows', { flows: 1.5 }, /--flows must be a whole number/],
    [
      'an unknown time-stamp mode',
      { timestamps: 'nic' as SweepOptions['timestamps'] },
      /--timestamps must be auto, hardware, software or user, got "nic"/,
    ],
    [
      'hardware stamps without the interface',
      { timestamps: 'hardware' },
      /^--timestamps hardware needs the interface whose NIC stamps the probes: add -I IFACE$/,
    ],
  ];
  it.each(refused)('refuses %s, naming the flag and the fix', (_name, change, message) => {
    expect(() => validateSweepOptions({ ...defaultSweepOptions, ...change })).toThrow(UsageError);
    expect(() => validateSweepOptions({ ...defaultSweepOptions, ...change })).toThrow(message);
  });

  it('accepts hardware stamps once the interface is named', () => {
    expect(() =>
      validateSweepOptions({ ...defaultSweepOptions, timestamps: 'hardware', interfaceName: 'eth0' }),
    ).not.toThrow();
  });
});
