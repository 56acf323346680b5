import { closeSync, ftruncateSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeRedoRecord, encodeRedoRecord, type RedoRecord, type RedoRecordToWrite } from './redo-codec';

export type { RedoEntry, RedoRecord, RedoRecordToWrite } from './redo-codec';
export { RedoEntryEncoder } from './redo-codec';

/**
 * The commit window's redo log (docs/server.md "Commit window"): an append-only file beside the
 * database holding, for each write transaction the server ran since the last commit of the
 * window, the statements it ran and their parameters. One `write` call per transaction, before
 * any answer that depends on it leaves; a crashed process leaves the log behind, and the next
 * start runs it again on the database as it was at that commit.
 *
 * A record: payload length (u32 LE), CRC-32 of the length's four bytes and the payload (u32 LE),
 * then the payload (a {@link RedoRecord}, redo-codec.ts). A record cut short, with a wrong
 * checksum, an impossible length or a payload that does not decode ends the log: only a crash of
 * the machine itself (not of the process) can leave one (a tail of zeros, say), and nothing after
 * it was acknowledged.
 */

const HEADER_BYTES = 8;
/** The smallest payload: a window number and two counts. */
const MIN_PAYLOAD_BYTES = 16;

/** The checksum covers the length too, so a run of zeros is never a record. */
function checksum(frame: Buffer, payloadEnd: number): number {
  return crc32(frame.subarray(HEADER_BYTES, payloadEnd), crc32(frame.subarray(0, 4)));
}

export interface RedoLogFile {
  /** Appends one record in one write; throws (ENOSPC, EIO, …) if it could not be written whole. */
  append(record: RedoRecordToWrite): void;
  /** Empties the file: everything in it is in a committed transaction now. */
  clear(): void;
  /** Bytes in the file. */
  readonly size: number;
  /**
   * A failed append left part of a record that could not be cut off: nothing may be appended
   * behind it (a replay would stop there) until clear() succeeds.
   */
  readonly torn: boolean;
  close(): void;
}

export function openRedoLog(file: string): RedoLogFile {
  const fd = openSync(file, 'a', 0o600);
  let size = fstatSync(fd).size;
  let torn = false;
  return {
    append(record) {
      if (torn) throw Object.assign(new Error('the redo log ends in a record cut short: it must be emptied first'), { code: 'EIO' });
      const frame = encodeRedoRecord(record, HEADER_BYTES);
      frame.writeUInt32LE(frame.length - HEADER_BYTES, 0);
      frame.writeUInt32LE(checksum(frame, frame.length), 4);
      let written = 0;
      try {
        while (written < frame.length) written += writeSync(fd, frame, written, frame.length - written);
      } catch (error) {
        // a part written before the failure would hide every later record from a replay: cut it off
        if (written > 0) {
          try {
            ftruncateSync(fd, size);
          } catch {
            torn = true;
          }
        }
        throw error;
      }
      size += frame.length;
    },
    clear() {
      ftruncateSync(fd, 0);
      size = 0;
      torn = false;
    },
    get size() {
      return size;
    },
    get torn() {
      return torn;
    },
    close() {
      closeSync(fd);
    },
  };
}

export interface ReadRedoLog {
  readonly records: RedoRecord[];
  /** Bytes past the last whole record (a record cut short by a crash of the machine), 0 if none. */
  readonly droppedBytes: number;
}

/** The records of a log file, in order; an absent file has none. */
export function readRedoLog(file: string): ReadRedoLog {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], droppedBytes: 0 };
    throw error;
  }
  const records: RedoRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const end = offset + HEADER_BYTES + length;
    if (length < MIN_PAYLOAD_BYTES || end > bytes.length) break;
    const frame = bytes.subarray(offset, end);
    if (checksum(frame, frame.length) !== frame.readUInt32LE(4)) break;
    let record: RedoRecord;
    try {
      record = decodeRedoRecord(frame.subarray(HEADER_BYTES));
    } catch {
      break;
    }
    records.push(record);
    offset = end;
  }
  return { records, droppedBytes: bytes.length - offset };
}
