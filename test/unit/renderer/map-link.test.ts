import { describe, expect, it } from 'vitest';
import { parseMapLink } from '../../../renderer/src/components/chat/map-link';

const beijing = { latitude: 39.9042, longitude: 116.4074 };

describe('coordinates from a pasted map link', () => {
  it.each([
    ['typed', '39.9042, 116.4074'],
    ['typed with a Chinese comma', '39.9042，116.4074'],
    ['geo URI', 'geo:39.9042,116.4074?z=15'],
    ['OpenStreetMap view', 'https://www.openstreetmap.org/#map=15/39.9042/116.4074'],
    ['OpenStreetMap marker', 'https://www.openstreetmap.org/?mlat=39.9042&mlon=116.4074#map=15/39.9/116.4'],
    ['Google view', 'https://www.google.com/maps/@39.9042,116.4074,15z'],
    ['Google place pin', 'https://www.google.com/maps/place/Tiananmen/@39.90,116.40,17z/data=!3m1!4b1!4m5!3m4!1s0x0:0x0!8m2!3d39.9042!4d116.4074'],
    ['Google query', 'https://maps.google.com/?q=39.9042,116.4074'],
    ['Apple Maps', 'https://maps.apple.com/?ll=39.9042,116.4074&q=Beijing'],
    ['Bing Maps', 'https://www.bing.com/maps?cp=39.9042~116.4074&lvl=11'],
    ['Amap (longitude first)', 'https://uri.amap.com/marker?position=116.4074,39.9042&name=park'],
    ['Baidu Maps', 'https://api.map.baidu.com/marker?location=39.9042,116.4074&title=x&output=html'],
  ])('%s', (_site, text) => {
    expect(parseMapLink(text)).toEqual(beijing);
  });

  it('finds nothing in text without coordinates, or out of range', () => {
    expect(parseMapLink('Tiananmen Square')).toBeNull();
    expect(parseMapLink('https://example.com/maps')).toBeNull();
    expect(parseMapLink('95, 200')).toBeNull();
    expect(parseMapLink('javascript:alert(1)')).toBeNull();
    expect(parseMapLink('')).toBeNull();
  });
});
