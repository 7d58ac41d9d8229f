import { parseForm } from './form.js';

describe('parseForm', () => {
  it('parses nested brackets, indexed arrays and metadata as the SDK encodes them', () => {
    const body =
      'transfer_data[destination]=acct_1&metadata[0]=zero&metadata[order]=o%201&expand[0]=latest_charge&expand[1]=payment_intent&line_items[0][price_data][unit_amount]=500&line_items[0][quantity]=2&line_items[1][quantity]=1';
    expect(parseForm(body)).toEqual({
      transfer_data: { destination: 'acct_1' },
      metadata: { '0': 'zero', order: 'o 1' },
      expand: ['latest_charge', 'payment_intent'],
      line_items: [{ price_data: { unit_amount: '500' }, quantity: '2' }, { quantity: '1' }],
    });
  });

  it('accepts `[]` appends, encoded brackets and plus-encoded spaces', () => {
    expect(parseForm('expand[]=a&expand[]=b&description=hello+world&x%5By%5D=1')).toEqual({ expand: ['a', 'b'], description: 'hello world', x: { y: '1' } });
  });

  it('refuses a key used both as a value and as a hash', () => {
    expect(() => parseForm('a=1&a[b]=2')).toThrow(/Invalid/);
  });
});
