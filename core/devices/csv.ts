// Minimal RFC 4180 CSV reading and writing for device batches and exports.

export type CsvParse = { ok: true; rows: string[][] } | { ok: false; error: { code: string; message: string } };

/** Parses CSV text (quotes, doubled quotes, CRLF/LF); an unterminated quote is an error, never a throw. */
export function parseCsv(text: string): CsvParse {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i++;
  }
  if (quoted) return { ok: false, error: { code: 'CSV_UNTERMINATED_QUOTE', message: 'a quoted field is not closed' } };
  if (field !== '' || row.length) endRow();
  return { ok: true, rows };
}

export function csvField(value: string | number | undefined): string {
  const s = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: (string | number | undefined)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
