/**
 * A file's size as people read it: "512 B", "146.5 KB", "2.9 MB", "1.2 GB", with the number in the
 * UI's locale (its digits and decimal mark) when one is given.
 */
export function formatFileSize(bytes: number, locale?: string): string {
  const units = ['B', 'KB', 'MB', 'GB'] as const;
  let value = bytes;
  let unit = 0;
  // a value that would round up to 1024 ("1024.0 KB") is said in the next unit ("1.0 MB")
  const roundsTo1024 = () => unit > 0 && Math.round(value * 10) / 10 >= 1024;
  while ((value >= 1024 || roundsTo1024()) && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  const number = locale
    ? new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)
    : value.toFixed(digits);
  return `${number} ${units[unit]}`;
}
