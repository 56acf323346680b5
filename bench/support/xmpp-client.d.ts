/** The few parts of @xmpp/client (which ships no types) that the benchmarks use. */
declare module '@xmpp/client' {
  import type { Socket } from 'node:net';
  export interface Element {
    is(name: string): boolean;
    getChildText(name: string): string | null;
    getChild(name: string, xmlns?: string): Element | undefined;
    attrs: Record<string, string>;
    toString(): string;
  }
  export interface XmppClient {
    on(event: 'stanza', listener: (stanza: Element) => void): void;
    on(event: 'error' | 'offline' | 'online', listener: (arg: unknown) => void): void;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    write(text: string): Promise<void>;
    reconnect: { stop(): void };
    /** XEP-0198, when the server offers it: `enabled` once on, and the delay before an <r/> after stanzas go out. */
    streamManagement: { enabled: boolean; requestAckDebounce: number };
    /** The TCP socket while connected. */
    socket: Socket | null;
  }
  export function client(options: { service: string; domain: string; username: string; password: string; resource?: string }): XmppClient;
  export function xml(name: string, attrs?: Record<string, string> | null, ...children: (Element | string)[]): Element;
}
