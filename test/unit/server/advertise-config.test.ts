import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../server/config';

describe('the advertise list given to createMagpieServer', () => {
  it('is empty by default and kept as given, trimmed', () => {
    expect(resolveConfig({ dataDir: 'd' }).advertise).toEqual([]);
    expect(resolveConfig({ dataDir: 'd', advertise: [' b.example:8884', 'tcp://127.0.0.1:9'] }).advertise).toEqual(['b.example:8884', 'tcp://127.0.0.1:9']);
  });

  it('refuses a malformed entry, an overlong one and a 17th before anything starts', () => {
    expect(() => resolveConfig({ dataDir: 'd', advertise: ['b.example'] })).toThrow(/advertise: "b.example" is not an address/);
    expect(() => resolveConfig({ dataDir: 'd', advertise: [`${'h'.repeat(256)}:1`] })).toThrow(/at most 255 characters/);
    expect(() => resolveConfig({ dataDir: 'd', advertise: Array.from({ length: 17 }, (_, i) => `h${i}:1`) })).toThrow(/at most 16 addresses/);
  });
});
