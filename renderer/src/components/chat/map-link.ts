/**
 * Coordinates from what a user pastes: a link from a common map site, a geo: URI, or "lat, lng".
 * Nothing is fetched (place-name search would need a network service). Coordinates are taken as the
 * site gives them: Amap's and Baidu's links use China's offset datums, which are not corrected here.
 */
export interface LatLng {
  readonly latitude: number;
  readonly longitude: number;
}

const NUM = String.raw`-?\d{1,3}(?:\.\d+)?`;

function valid(latitude: number, longitude: number): LatLng | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude };
}

function pair(text: string | null | undefined, separator: RegExp, lngFirst = false): LatLng | null {
  if (!text) return null;
  const parts = text.trim().split(separator);
  if (parts.length < 2) return null;
  const [a, b] = [Number(parts[0]), Number(parts[1])];
  return lngFirst ? valid(b, a) : valid(a, b);
}

function fromUrl(url: URL): LatLng | null {
  const host = url.hostname.toLowerCase();
  const q = url.searchParams;
  // Google's place links: the pin (!3d lat !4d lng) is more exact than the view centre (@lat,lng)
  const pin = new RegExp(`!3d(${NUM})!4d(${NUM})`).exec(url.href);
  if (pin) return valid(Number(pin[1]), Number(pin[2]));
  if (host.includes('amap.com')) return pair(q.get('position') ?? q.get('lnglat') ?? q.get('q'), /,/, true);
  if (host.includes('bing.com')) return pair(q.get('cp') ?? q.get('sp')?.replace(/^point\./, ''), /[~_]/);
  if (q.get('mlat') && q.get('mlon')) return valid(Number(q.get('mlat')), Number(q.get('mlon')));
  for (const key of ['ll', 'sll', 'coordinate', 'location', 'query', 'q', 'daddr', 'center']) {
    const found = pair(q.get(key), /\s*,\s*/);
    if (found) return found;
  }
  // view centres: Google "@lat,lng,zoom", OpenStreetMap "#map=zoom/lat/lng"
  const at = new RegExp(`@(${NUM}),(${NUM})`).exec(url.pathname);
  if (at) return valid(Number(at[1]), Number(at[2]));
  const osm = new RegExp(`map=\\d+(?:\\.\\d+)?/(${NUM})/(${NUM})`).exec(url.hash);
  if (osm) return valid(Number(osm[1]), Number(osm[2]));
  return null;
}

export function parseMapLink(input: string): LatLng | null {
  const text = input.trim();
  if (!text) return null;
  const geo = new RegExp(`^geo:(${NUM}),(${NUM})`, 'i').exec(text);
  if (geo) return valid(Number(geo[1]), Number(geo[2]));
  const plain = new RegExp(`^(${NUM})\\s*[,，\\s]\\s*(${NUM})$`).exec(text);
  if (plain) return valid(Number(plain[1]), Number(plain[2]));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? fromUrl(url) : null;
}
