import { describe, expect, it } from 'vitest';
import { CityLocator, parseOverrides } from './city-locator';

const locator = new CityLocator();

describe('CityLocator (bundled GeoNames table)', () => {
  it('places "City,CC" exactly, accents and case aside', () => {
    expect(locator.locate('Paris,FR')).toMatchObject({ lat: 48.85, lon: 2.35, exact: true });
    expect(locator.locate('sao paulo,br')).toMatchObject({ matched: 'São Paulo,BR', exact: true });
  });

  it('takes the biggest city of the country whose name starts with the given words, marked approximate', () => {
    expect(locator.locate('Frankfurt,DE')).toMatchObject({ matched: 'Frankfurt am Main,DE', exact: false });
    expect(locator.locate('Virginia,US')).toMatchObject({ matched: 'Virginia Beach,US', exact: false });
  });

  it('prefers the larger of two cities with the same name', () => {
    expect(locator.locate('Sydney')).toMatchObject({ matched: 'Sydney,AU' });
    expect(locator.locate('Sydney,CA')).toMatchObject({ matched: 'Sydney,CA', exact: true });
  });

  it('accepts explicit coordinates and refuses what it cannot place', () => {
    expect(locator.locate('59.91, 10.75')).toMatchObject({ lat: 59.91, lon: 10.75, exact: true });
    expect(locator.locate('Atlantis,XX')).toBeUndefined();
    expect(locator.locate('127.0.0.1')).toBeUndefined();
  });

  it('parses override lines and skips comments and junk', () => {
    const overrides = parseOverrides('# lab\ncollector-1 = 52.52, 13.40\nAshburn,US=39.04,-77.49\nnonsense');
    expect([...overrides]).toEqual([
      ['collector-1', { lat: 52.52, lon: 13.4 }],
      ['Ashburn,US', { lat: 39.04, lon: -77.49 }],
    ]);
  });
});
