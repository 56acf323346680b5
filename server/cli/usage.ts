/** Bad command-line arguments: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: magpie-server <command> [options]

  start [--host 127.0.0.1] [--port 8883] [--http-port 8885] [--data ./magpie-data]
        [--tls-cert FILE --tls-key FILE [--tls-port 8884]] [--log-level info] [--demo]
        [--advertise ADDR[,ADDR...]]    (the listeners' ports must differ; --advertise: more
                                        addresses of this service, [tls://|tcp://]host:port,
                                        at most 16, that clients race on their next connects)
                                        run the server (SIGINT/SIGTERM stop it); --demo: with
                                        no main account yet, also create a demo app and users
                                        and print their secrets (never for real use)
        [--cluster --db postgres://... --nats nats://HOST:PORT --node-id ID [--cluster-name magpie]]
                                        run as one node of a cluster: nodes share the database,
                                        NATS and the data folder (docs/server.md "Cluster mode")
  account create                        create a main account
  account rotate-token --account SID    a new auth token (the old one stops working)
  app create --account SID --name NAME  create an app (online)
  app online APPID | app offline APPID  switch an app on or off
  app list --account SID                list a main account's apps
  user create --app APPID --name NAME   create a sub-account
  user list --app APPID                 list an app's sub-accounts
  user close SUBACCOUNTSID              close a sub-account (its logins and sessions end)
  user reopen SUBACCOUNTSID             reopen a closed sub-account (it may log in again)

Every command takes --data DIR (default ./magpie-data) and --db URL: a PostgreSQL database,
postgres://USER@HOST:PORT/DB[?schema=NAME], instead of the SQLite file in --data (the server
key and files stay in --data). Admin commands print JSON on stdout and work while the server
runs.`;
