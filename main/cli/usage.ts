import { DEFAULT_SERVER_LIMITS, MEDIA_BYTE_LIMITS, MESSAGE_LIMITS } from '../../protocol';
import { MEDIA_LIMITS } from '../../preload/api';

const MIB = 1024 * 1024;

/** Bad command-line arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage is shown with the message (a key of COMMAND_USAGE). */
    readonly command = '',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const GLOBAL_USAGE = `Usage: magpie [global flags] COMMAND [flags]

Sends, receives and manages Magpie messages from scripts, on the same core as the desktop app.
Output is JSON lines on stdout; errors are JSON lines {"code","name","message"} on stderr.

Commands:
  send          send a text message (or one per stdin line), a custom one (--custom), or a
                file, image or voice message
  download ID   fetch a media message's file
  revoke ID     take back a message I sent (within the server's window), for everyone
  read          mark a conversation read (the other side sees its messages "read")
  burn ID       burn a received burn-after-reading message (send one with send --burn)
  listen        sync what was missed, then print incoming messages and notices
  history       a conversation's messages (from the server, or --offline from the local store)
  outbox        messages not yet sent (offline); "outbox flush" sends them, "outbox discard" drops
                failed ones (offline)
  search TEXT   full-text search of the local store (offline)
  (the offline commands, and history --offline, need no --token or --password)
  group ...     create|modify|join|apply|approve|reject|invite|kick|quit|dismiss|members|list|requests|mute|mute-all|role|transfer|dnd|card
  profile set   set my nickname (or avatar)

Global flags:
  --server H:P[,H:P...]   server addresses, raced (default 127.0.0.1:8883); TLS unless on this
                          machine: write tcp://H:P for a plain port, tls://H:P for TLS on loopback
  --ca FILE               trust this CA certificate (PEM) too: a server with a self-signed certificate
  --insecure-plain        plain TCP to bare remote addresses too (anyone on the path reads it)
  --app APPID             the app
  --user ID               the user id (the voipAccount for --password)
  --token APPTOKEN        log in with the app token (any user id of the app)
  --password PWD          log in with the sub-account password
  --token-file F, --password-file F
                          the same, read from the first line of file F ("-": stdin); or set
                          MAGPIE_TOKEN or MAGPIE_PASSWORD in the environment. Prefer these:
                          arguments are visible to every user of the machine (ps). The local
                          commands (history --offline, search, outbox, outbox discard) need no
                          secret, only --app, --user and --profile; one given is ignored
  --signed SIG --ts TS    log in with a signature by the app server (HMAC-SHA256; --md5 for the MD5 form)
  --profile DIR           where the local store lives (default: <config dir>/magpie/cli, or $MAGPIE_PROFILE/cli)
  --timeout S             give up after S seconds (default 10; 0 waits for ever; at most 2147483)
  --force                 log in with force: end this user's other CLI (bot) sessions, as when
                          the server refuses a login with TOO_MANY_SESSIONS_FOR_USER
  --help                  this text, or a command's ("magpie send --help")

Exit codes: 0 done; 1 refused by the server; 2 bad arguments (BAD_ARGUMENT; a flag that takes a
value is given once; NO_MAGPIE_DATA: a local command on a profile, app or user with no
store yet; LISTEN_RUNNING: a second listen of a user on one profile); 3 timed out (not sent, not connected); 4 login failed (also an address of the other transport: write tls:// or tcp:// as
the message says; or a web port: the server's HTTP port given for its client port), or the server ended the session (kicked, account closed: the code and message
are printed); 5 the local store is damaged
(LOCAL_STORE_CORRUPT: move the --profile folder aside, or use a new one, and run again: the
server keeps every message and a fresh profile syncs them); 6 the local store cannot be written
(LOCAL_STORE_UNAVAILABLE: its disk is full or read-only; free space and run again, nothing is lost).
Logs: MAGPIE_LOG_LEVEL=debug prints the engine's log on stderr.`;

const GROUP_USAGE = `Usage: magpie [global flags] group SUBCOMMAND [flags]

  group create --name N [--mode public|approval|private] [--members a,b] [--capacity 100|300|500|1000|2000]
  group modify --group G [--name N] [--announcement A] [--mode M]
                                            rename, change the announcement ("" clears it)
                                            or the join mode (owner or admin); prints the group
  group join --group G                      join a public group
  group apply --group G [--reason R]        ask to join an approval group (prints the request id)
  group approve --group G --request R       accept an application (owner or admin)
  group reject --group G --request R [--reason R]
  group invite --group G --members a,b
  group kick --group G --members a,b
  group quit --group G
  group dismiss --group G                   owner only
  group members --group G [--limit N]
  group list                                my groups
  group requests                            applications and invites waiting for an answer
  group mute --group G --member U --seconds S   (0 lifts it)
  group mute-all --group G --on|--off       only the owner and admins may send while on (owner or
                                            admin); prints the group. A send from anyone else to
                                            the group fails with GROUP_MUTED_ALL (580012), exit 1
  group role --group G --member U --role admin|member
  group transfer --group G --member U       give the group to another member
  group dnd --group G --on|--off            do not disturb
  group card --group G --card ALIAS [--member U]   my alias in the group (another member's: owner
                                            or admin), at most 64 characters; shown instead of
                                            the nickname in its member list and chat
  group card --group G --clear [--member U] clear it`;

/** Per-command help, printed by "magpie COMMAND --help" and with a usage error. */
export const COMMAND_USAGE: Record<string, string> = {
  send: `Usage: magpie [global flags] send (--to USER | --group GID) (--text T | --stdin | --custom CMD [--payload JSON] [--transient])
       magpie [global flags] send --group GID --text T [--mention USER[,USER...]] [--mention-all]

Stores the message in the outbox, connects and sends it; prints it with state "sent".
A text is at most ${MESSAGE_LIMITS.maxTextChars} characters (Unicode code points, as the server counts); a longer one is
refused before it is stored (exit 2). --stdin sends one message per input line, in order, up to
a line over that limit (exit 2, naming the line), printing each line once it is sent (or failed)
while stdin is still open, so a live stream (tail -f log | magpie send ...) shows each as it goes. Not sent within --timeout: prints it with
state "sending" and exits 3; it stays in the outbox and "magpie outbox flush" sends it later.
A login the server refuses (exit 4) fails it instead: it is never sent later.
--custom sends a custom message: the command string CMD (at most ${MESSAGE_LIMITS.maxCommandChars} characters, UTF-16 code units
as the server counts; no control character but tab and line breaks) with a JSON payload
(default {}; at most ${MESSAGE_LIMITS.maxCustomPayloadBytes / 1024} KiB); a CMD or payload the server would refuse is refused before it is stored (exit 2);
--transient asks the server to push it to whoever is online and store nothing.
--burn (with --to USER --text T) sends it burn after reading: the reader's "magpie burn ID" (or
the app, once it is opened) empties it on every side.
--mention U[,V...] (with --group GID --text T) @mentions those members (at most ${MESSAGE_LIMITS.maxMentions}): their app
marks the group "[@ you]" and alerts them even when it is muted. As the app writes it, the text
names each one (else exit 2): --text "@bob please look" --mention bob.
--mention-all (group owners and admins; anyone else is refused, NOT_GROUP_ADMIN, exit 1)
@mentions every member; the text says "@all": --text "@all meeting at 3" --mention-all.

       magpie [global flags] send (--to USER | --group GID) (--file P | --image P | --voice P --duration MS)

Uploads the file to the server's file service (resumable; progress as JSON lines on stderr), then
sends the message naming it. An image must be a picture the app shows (PNG, JPEG, GIF, WebP or
AVIF) and a voice message audio, by their bytes, not their names: anything else is refused before
connecting, exit 2 (send it with --file). --duration is the voice message's length in ms, at least ${MEDIA_LIMITS.minVoiceMs} (1 second; shorter is
refused, exit 2, as the app drops a recording under a second) and at most ${MEDIA_LIMITS.maxVoiceMs} (60 seconds, or
less if the server says so at login; longer is refused, exit 2, before the upload). How large a
file may be is the server's to say, for each kind; a server's defaults are ${MEDIA_BYTE_LIMITS.file / MIB} MiB for a file,
${MEDIA_BYTE_LIMITS.image / MIB} MiB for an image and ${MEDIA_BYTE_LIMITS.voice / MIB} MiB for a voice message, and a server may be set to others. The file
is checked against the server's own limits, as its login tells them, once logged in and before
anything is stored or sent: a larger one is refused, exit 2, naming its size and the server's
limit.`,
  download: `Usage: magpie [global flags] download MSGID --out DIR

Fetches the file of a voice, image or file message (its id as listen and history print it) into
DIR, under the message's file name, checked against its sha256; prints its path. A file of that
name already in DIR is never overwritten: the copy takes "name (1).ext" unless it holds the same bytes.`,
  revoke: `Usage: magpie [global flags] revoke MSGID

Takes back a message (its id as send, listen and history print it) for everyone in its
conversation: the sender within the server's revoke window (a server's default is ${DEFAULT_SERVER_LIMITS.revokeWindowMs / 60_000}
minutes; a group message only while still in the group), or, at any time, its group's owner (any
message) or an admin (a plain member's, a former member's or their own, never the owner's or
another admin's). Every side's copy loses its content and shows "revoked": true.`,
  burn: `Usage: magpie [global flags] burn MSGID

A received burn-after-reading message (sent with "send --to USER --text T --burn") is read and
burned: emptied here, at its sender and on the server. Its text is printed, as any message's, by
listen and history until then: a script that printed it has opened it.`,
  read: `Usage: magpie [global flags] read (--with USER | --group GID)

Marks every message that came in from the conversation read, here and on the server: in a 1:1
chat the sender's copies turn "read"; in a group it counts for "who read it". A burn-after-reading
message not yet opened stays unread (the desktop app opens it). Prints the id read up to, or
"upTo":null with "nothingToMark":true when nothing came in. A user the server does not know (no one
signed in with that id) is USER_NOT_FOUND, a group GROUP_NOT_FOUND (exit 1).`,
  listen: `Usage: magpie [global flags] listen [--count N]

Connects, syncs what arrived while away, and prints every incoming message and group notice until
N have been printed or --timeout passes (exit 0 at the timeout without --count; 3 with it).
The profile keeps how far listen has printed: each run first prints, oldest first, what no listen
printed yet (what came while none ran, what an earlier run left after its --count or when it was
stopped or killed), then what arrives; so repeated "listen --count 5" runs print every message
once, none skipped. A line counts as printed once written to stdout: a killed run loses nothing
(at most the line being written then is printed again).
One listen per user and profile: a second while one runs is refused (LISTEN_RUNNING, exit 2);
give it its own --profile (which has its own cursor).
On a profile that never synced, what the first sync brings is the account's history: with
--count N only its newest N are printed (oldest of them first), then what arrives after; the
older history is not printed by later runs (history shows it).`,
  history: `Usage: magpie [global flags] history (--with USER | --group GID) [--limit N] [--offline]

Prints the newest N (default 50) messages of a conversation, oldest first. Syncs first unless
--offline, which reads the local store without connecting and needs no login secret (one given
is ignored); a store not made yet is NO_MAGPIE_DATA (exit 2). Connected, a conversation with
nothing in it is looked up: a user the server does not know is USER_NOT_FOUND, a group one is
not in NOT_GROUP_MEMBER or GROUP_NOT_FOUND (exit 1), never an empty history that looks like success.`,
  outbox: `Usage: magpie [global flags] outbox [flush | discard [ID]]

Lists the outbox (offline; no login secret needed, one given is ignored; a store not made yet
is NO_MAGPIE_DATA, exit 2). "outbox flush" connects and sends what waits there (a file message
whose upload was cut resumes it from the server's offset); exit 0 when all
are sent, 1 if the server refused one, 3 if some are still unsent at --timeout.
"outbox discard" (offline, no secret needed) drops the failed messages, or only the one whose ID (32 hex, as
"outbox" prints it) is given, printing each; a message still sending is not discarded (exit 1,
NOT_ALLOWED): it may already be on the server, and "outbox flush" settles it.`,
  search: `Usage: magpie [global flags] search TEXT [--limit N]

Searches the messages in the local store (Chinese and English), newest first, without connecting:
no login secret is needed (one given is ignored); a store not made yet is NO_MAGPIE_DATA (exit 2).`,
  group: GROUP_USAGE,
  profile: `Usage: magpie [global flags] profile set [--nickname N] [--avatar URL]

Sets my profile on the server and prints it.`,
};
