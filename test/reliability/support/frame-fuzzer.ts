import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FuzzLogin } from './fuzz-frames';
import { runSource } from '../../support/run-source';

const FUZZER_MAIN = fileURLToPath(new URL('./frame-fuzzer.main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface FuzzerSpec {
  readonly host: string;
  readonly port: number;
  readonly login: FuzzLogin;
  /** Sockets that connect and say nothing, opened before the fuzzing starts and held until it ends. */
  readonly silentSockets: number;
  /** Frames to write in all. */
  readonly frames: number;
  /** Sockets fuzzing at once. */
  readonly sockets: number;
  /** A connection ends itself after a random number of frames up to this, if the server has not closed it. */
  readonly framesPerConnectionMax: number;
  /** The share of stream frames broken on purpose (0..1). */
  readonly brokenShare: number;
  readonly seed: number;
}

export interface FuzzTally {
  readonly frames: number;
  readonly brokenFrames: number;
  readonly connections: number;
  /** Connections the server closed with an ERROR (a bad frame, a flood, a failed login...). */
  readonly closedByServer: number;
  /** Requests the server refused one by one (ERROR with a request id) without closing. */
  readonly refusedRequests: number;
  readonly connectErrors: number;
}

export interface FuzzResult extends FuzzTally {
  readonly silentSockets: number;
  /** Silent sockets the server closed while the fuzzing ran. */
  readonly silentClosedByServer: number;
}

export interface FuzzerProcess {
  /** Resolves once every silent socket is open, with how many; the fuzzing starts right after. */
  readonly silentReady: Promise<number>;
  readonly finished: Promise<FuzzResult>;
  readonly latest: () => FuzzTally | undefined;
  kill(): void;
}

/**
 * Runs the fuzzer in its own process, so its work does not sit on the event loop that measures
 * latency, and at a lower CPU priority (nice 10): on a two-core machine an attacker at full speed
 * would otherwise starve the very client whose latency is measured, which a real attacker on
 * another machine cannot do. The server still gets every frame as fast as it can take them.
 */
export function startFuzzerProcess(spec: FuzzerSpec): FuzzerProcess {
  const node = [process.execPath, ...runSource(FUZZER_MAIN), JSON.stringify(spec)];
  const child = spawn('nice', ['-n', '10', ...node], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let latest: FuzzTally | undefined;
  let stderr = '';
  let buffered = '';
  let readySilent!: (count: number) => void;
  const silentReady = new Promise<number>((resolve) => (readySilent = resolve));
  const finished = new Promise<FuzzResult>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const parsed = JSON.parse(line) as { silentReady?: number; progress?: FuzzTally; done?: FuzzResult };
        if (parsed.silentReady !== undefined) readySilent(parsed.silentReady);
        latest = parsed.progress ?? parsed.done ?? latest;
        if (parsed.done) resolve(parsed.done);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    child.once('exit', (code, signal) => reject(new Error(`fuzzer exited (code ${code}, signal ${signal}) before it finished:\n${stderr}`)));
  });
  // a fuzzer that dies early rejects finished; silentReady must not wait for it forever
  finished.catch(() => readySilent(0));
  return {
    silentReady,
    finished,
    latest: () => latest,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
