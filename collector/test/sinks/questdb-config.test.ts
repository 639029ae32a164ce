import { describe, expect, it } from 'vitest';
import { formatQuestDbConfig, parseQuestDbConfig } from '../../src/sinks/questdb/questdb-config.js';

describe('parseQuestDbConfig', () => {
  it('reads the address and turns credentials into an Authorization header', () => {
    const basic = parseQuestDbConfig('http::addr=db.local:9000;username=admin;password=quest;');
    expect(basic).toMatchObject({ protocol: 'http', host: 'db.local', port: 9000 });
    expect(basic.authorization).toBe(`Basic ${Buffer.from('admin:quest').toString('base64')}`);
    expect(parseQuestDbConfig('https::addr=[::1]:9443;token=abc;')).toMatchObject({
      protocol: 'https',
      host: '::1',
      port: 9443,
      authorization: 'Bearer abc',
    });
  });

  it('keeps semicolons escaped as ;; inside values and writes them back the same way', () => {
    const parsed = parseQuestDbConfig('http::addr=127.0.0.1:9000;password=a;;b;username=u;');
    expect(parsed.options.get('password')).toBe('a;b');
    expect(formatQuestDbConfig('http', parsed.options)).toBe('http::addr=127.0.0.1:9000;password=a;;b;username=u;');
  });

  it.each([
    ['127.0.0.1:9000', /no "protocol::" prefix/],
    ['tcp::addr=127.0.0.1:9009;', /protocol "tcp" is not supported.*http::/],
    ['http::username=a;', /no addr=host:port/],
    ['http::addr=127.0.0.1:99999;', /addr "127.0.0.1:99999" is not host:port/],
    ['http::addr=127.0.0.1:9000;oops', /"oops" has no "=value"/],
  ])('rejects %s with a message that shows the fix', (conf, message) => {
    expect(() => parseQuestDbConfig(conf)).toThrow(message);
  });
});
