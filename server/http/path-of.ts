/** A request URL without its query string: what may be logged (the query may hold a signature). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
