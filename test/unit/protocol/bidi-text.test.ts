import { describe, expect, it } from 'vitest';
import { balanceIsolates, bidiControlName, isolatePieces, isolateText, jsonForTerminal, showBidiControls } from '../../../protocol';

describe('bidirectional text kept from reordering what is around it', () => {
  it('shows each embedding, override and isolate by its Unicode name, keeping the marks and the words', () => {
    expect(showBidiControls('invoice\u202efdp.exe')).toBe('invoice<RLO>fdp.exe');
    expect(showBidiControls('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069')).toBe('<LRE><RLE><PDF><LRO><RLO><LRI><RLI><FSI><PDI>');
    expect(showBidiControls('مرحبا\u200f \u200e \u061c שלום 你好')).toBe('مرحبا\u200f \u200e \u061c שלום 你好');
    expect(bidiControlName('\u202e')).toBe('RLO');
    expect(bidiControlName('a')).toBeUndefined();
  });

  it('wraps text in a first-strong isolate, leaving empty text empty', () => {
    expect(isolateText('alice')).toBe('\u2068alice\u2069');
    expect(isolateText('سارة')).toBe('\u2068سارة\u2069');
    expect(isolateText('')).toBe('');
  });

  it('drops a PDI that would close the isolate around the text and closes the isolates it leaves open', () => {
    // "\u2069\u202e" would end the isolate early and let the override run over the rest of the line
    expect(isolateText('\u2069\u202eevil')).toBe('\u2068\u202eevil\u2069');
    expect(balanceIsolates('a\u2067b')).toBe('a\u2067b\u2069');
    expect(balanceIsolates('a\u2066b\u2069c\u2069d')).toBe('a\u2066b\u2069cd');
    expect(balanceIsolates('\u2068\u2067x')).toBe('\u2068\u2067x\u2069\u2069');
    // an open embedding or override needs nothing: the isolate's PDI ends it
    expect(balanceIsolates('x\u202ey')).toBe('x\u202ey');
  });

  it('escapes every directional formatting character in a JSON line, which still parses to the same value', () => {
    const value = { text: 'pay \u202eexe.pdf\u2069 \u200f\u200e\u061c', name: 'سارة' };
    const line = jsonForTerminal(value);
    expect(line).toBe('{"text":"pay \\u202eexe.pdf\\u2069 \\u200f\\u200e\\u061c","name":"سارة"}');
    expect(JSON.parse(line)).toEqual(value);
    // JSON escapes C0 itself; DEL and C1 (U+009B is CSI to some terminals) are escaped here
    const controls = { text: 'esc\u001b[2J del\u007f csi\u009b31m nel\u0085' };
    expect(jsonForTerminal(controls)).toBe('{"text":"esc\\u001b[2J del\\u007f csi\\u009b31m nel\\u0085"}');
    expect(JSON.parse(jsonForTerminal(controls))).toEqual(controls);
  });

  it('cuts a sentence made with isolateText into its pieces, each quote one isolated piece, its own isolates kept inside', () => {
    const line = `${isolateText('ev\u202eil')}: ${isolateText('hi \u2067שלום')}`;
    expect(isolatePieces(line)).toEqual([
      { text: 'ev\u202eil', isolated: true },
      { text: ': ', isolated: false },
      { text: 'hi \u2067שלום\u2069', isolated: true },
    ]);
    expect(isolatePieces('no quotes here')).toEqual([{ text: 'no quotes here', isolated: false }]);
    expect(isolatePieces('')).toEqual([]);
    // whatever a stray PDI in a name tried, the pieces around it stay text of the UI's own
    expect(isolatePieces(`${isolateText('\u2069\u202ex')} joined`)).toEqual([{ text: '\u202ex', isolated: true }, { text: ' joined', isolated: false }]);
  });
});
