import { closeSync, ftruncateSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeRedoRecord, encodeRedoRecord, type RedoRecord } from './redo-codec';

export type { RedoEntry, RedoRecord } from './redo-codec';

/**
 * The commit window's redo log (docs/server.md "Commit window"): an append-only file beside the
 * database holding, for each write transaction the server ran since the last commit of the
 * window, the statements it ran and their parameters. One `write` call per transaction, before
 * any answer that depends on it leaves; a crashed process leaves the log behind, and the next
 * start runs it again on the database as it was at that commit.
 *
 * A record: payload length (u32 LE), CRC-32 of the payload (u32 LE), then the payload (a
 * {@link RedoRecord}, redo-codec.ts). A record cut short or with a wrong checksum ends the
 * log: only a crash of the machine itself (not of the process) can leave one, and what follows it
 * was never acknowledged.
 */

const HEADER_BYTES = 8;

export interface RedoLogFile {
  /** Appends one record in one write; throws (ENOSPC, EIO, …) if it could not be written whole. */
  append(record: RedoRecord): void;
  /** Empties the file: everything in it is in a committed transaction now. */
  clear(): void;
  /** Bytes in the file. */
  readonly size: number;
  close(): void;
}

export function openRedoLog(file: string): RedoLogFile {
  const fd = openSync(file, 'a', 0o600);
  let size = fstatSync(fd).size;
  return {
    append(record) {
      const frame = encodeRedoRecord(record, HEADER_BYTES);
      const payload = frame.subarray(HEADER_BYTES);
      frame.writeUInt32LE(payload.length, 0);
      frame.writeUInt32LE(crc32(payload), 4);
      let written = 0;
      try {
        while (written < frame.length) written += writeSync(fd, frame, written, frame.length - written);
      } catch (error) {
        // a part written before the failure would make the next record unreadable: cut it off
        if (written > 0) ftruncateSync(fd, size);
        throw error;
      }
      size += frame.length;
    },
    clear() {
      ftruncateSync(fd, 0);
      size = 0;
    },
    get size() {
      return size;
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
    if (end > bytes.length) break;
    const payload = bytes.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) break;
    records.push(decodeRedoRecord(payload));
    offset = end;
  }
  return { records, droppedBytes: bytes.length - offset };
}
