import { renderLabelInstruction } from './dockerfile-labels.js';

describe('renderLabelInstruction', () => {
  it('renders one instruction with sorted, double-quoted pairs', () => {
    expect(renderLabelInstruction({ 'b.key': 'two', 'a.key': 'one' })).toBe('LABEL "a.key"="one" "b.key"="two"');
  });

  it('escapes quotes, backslashes and line breaks the JSON way', () => {
    expect(renderLabelInstruction({ k: 'a"b\\c\nd\re' })).toBe('LABEL "k"="a\\"b\\\\c\\nd\\re"');
  });

  it('escapes $ so LABEL does not expand variables', () => {
    expect(renderLabelInstruction({ k: '$HOME ${PATH}' })).toBe('LABEL "k"="\\$HOME \\${PATH}"');
  });

  it('writes anything outside printable ASCII as \\u text, so the line stays one printable line', () => {
    const line = renderLabelInstruction({ k: 'a\u2028b\u0085c\u00e9\u0000' });
    expect(line).toBe('LABEL "k"="a\\u2028b\\u0085c\\u00e9\\u0000"');
    expect(line).toMatch(/^[\x20-\x7e]+$/);
  });

  it('escapes keys like values', () => {
    expect(renderLabelInstruction({ 'k"\n$': 'v' })).toBe('LABEL "k\\"\\n\\$"="v"');
  });
});
