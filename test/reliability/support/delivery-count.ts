import BetterSqlite3 from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** What one scenario did to the messages: the five numbers every reliability line prints. */
export interface DeliveryCount {
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly misordered: number;
}

/** The text of message `index` from a scenario's sender; parsed back by indexOfText(). */
export function messageText(sender: string, index: number): string {
  return `${sender} #${index}`;
}

function indexOfText(sender: string, text: string): number | undefined {
  const prefix = `${sender} #`;
  if (!text.startsWith(prefix)) return undefined;
  const index = Number(text.slice(prefix.length));
  return Number.isInteger(index) ? index : undefined;
}

/**
 * Counts what a receiver holds of messages 0..sent-1 from one sender, given the texts in the order
 * the receiver shows them. Misordered: a message shown after one the sender wrote later.
 */
export function countDelivery(sender: string, sent: number, textsInOrder: readonly string[]): DeliveryCount {
  const seen = new Set<number>();
  let delivered = 0;
  let duplicated = 0;
  let misordered = 0;
  let highest = -1;
  for (const text of textsInOrder) {
    const index = indexOfText(sender, text);
    if (index === undefined) continue;
    if (seen.has(index)) {
      duplicated += 1;
      continue;
    }
    seen.add(index);
    delivered += 1;
    if (index < highest) misordered += 1;
    highest = Math.max(highest, index);
  }
  let lost = 0;
  for (let i = 0; i < sent; i++) if (!seen.has(i)) lost += 1;
  return { sent, delivered, lost, duplicated, misordered };
}

/** Adds the counts of several sender/receiver pairs. */
export function sumDelivery(counts: readonly DeliveryCount[]): DeliveryCount {
  const add = (key: keyof DeliveryCount) => counts.reduce((sum, count) => sum + count[key], 0);
  return { sent: add('sent'), delivered: add('delivered'), lost: add('lost'), duplicated: add('duplicated'), misordered: add('misordered') };
}

/** The one line a scenario prints, e.g. `reliability: server-sigkill sent=2000 delivered=2000 lost=0 ...`. */
export function reliabilityLine(scenario: string, count: DeliveryCount, extra: Record<string, string | number> = {}): string {
  const extras = Object.entries(extra).map(([key, value]) => ` ${key}=${value}`);
  return (
    `reliability: ${scenario} sent=${count.sent} delivered=${count.delivered} lost=${count.lost} ` +
    `duplicated=${count.duplicated} misordered=${count.misordered}${extras.join('')}`
  );
}

/** The one client database file in a profile folder (the store files it under app and user). */
export function findClientDatabase(profileDir: string): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.db') || entry.name.endsWith('.sqlite')) found.push(path);
    }
  };
  walk(profileDir);
  if (found.length !== 1) throw new Error(`expected one client database in ${profileDir}, found ${found.length}: ${found.join(', ')}`);
  return found[0]!;
}

export interface StoreReading {
  /** Texts of the conversation's incoming messages, in the order the client shows them. */
  readonly incomingTexts: string[];
  /** Outgoing messages of the conversation by state. */
  readonly outgoingStates: Record<string, number>;
  /** Texts of the conversation's outgoing messages, in the order the client shows them. */
  readonly outgoingTexts: string[];
  /** Outbox rows not yet sent (still sending, or failed for good). */
  readonly outboxPending: number;
}

/**
 * Reads one conversation straight from a client's SQLite file (the client must be closed or
 * dead): what is stored there is what the user sees, whatever the events said.
 */
export function readClientStore(databaseFile: string, conversation: string): StoreReading {
  const db = new BetterSqlite3(databaseFile, { readonly: true, fileMustExist: true });
  try {
    // the order of a conversation page: time, then arrival (the store's own index)
    const rows = db
      .prepare('SELECT text, outgoing, state FROM messages WHERE conversation = ? AND deleted = 0 ORDER BY time_ms, local_id')
      .all(conversation) as { text: string; outgoing: number; state: string }[];
    const outgoingStates: Record<string, number> = {};
    for (const row of rows) if (row.outgoing) outgoingStates[row.state] = (outgoingStates[row.state] ?? 0) + 1;
    const pending = db.prepare("SELECT count(*) AS n FROM outbox WHERE state <> 'sent'").get() as { n: number };
    return {
      incomingTexts: rows.filter((row) => !row.outgoing).map((row) => row.text),
      outgoingTexts: rows.filter((row) => row.outgoing).map((row) => row.text),
      outgoingStates,
      outboxPending: pending.n,
    };
  } finally {
    db.close();
  }
}
