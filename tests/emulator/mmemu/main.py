"""Command line: see tests/emulator/README.md."""
import argparse
import json
import logging
import os
import signal
import sys
import threading

from .app import App
from .config import Config, ConfigError


def parse_args(argv):
    p = argparse.ArgumentParser(prog="mmemu.py", description="Mattermost emulator for tests")
    p.add_argument("--listen", required=True, help="HOST:PORT (port 0 picks a free one)")
    p.add_argument("--dsn", required=True, help="libpq DSN of the emulator's database")
    p.add_argument("--site-url", required=True, help="ServiceSettings.SiteURL")
    p.add_argument("--admin-token-file", required=True,
                   help="file whose contents (stripped) are the admin bot's access token")
    p.add_argument("--pbkdf2-iterations", type=int, default=600000,
                   help="work factor of new PBKDF2 password hashes (Mattermost: 600000)")
    p.add_argument("--bcrypt-cost", type=int, default=10,
                   help="cost of new bcrypt hashes in 10.x mode (Mattermost: 10)")
    p.add_argument("--config", help="JSON file of Mattermost settings overrides")
    p.add_argument("--ready-file", help="write 'ready' (and the port) here once listening")
    p.add_argument("--log-requests", action="store_true", help="log every request to stderr")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="mmemu %(levelname)s %(message)s")
    log = logging.getLogger("mmemu")

    host, sep, port = args.listen.rpartition(":")
    if not sep or not port.isdigit():
        sys.exit("mmemu: --listen must be HOST:PORT")
    host = host.strip("[]")
    try:
        with open(args.admin_token_file, encoding="utf-8") as fh:
            token = fh.read().strip()
    except OSError as exc:
        sys.exit("mmemu: cannot read --admin-token-file: %s" % exc)
    # sessions.token / useraccesstokens.token are varchar(26) (§3.1)
    if not token or len(token) > 26 or not token.isprintable() or " " in token:
        sys.exit("mmemu: the admin token must be 1-26 printable characters without spaces")
    if args.pbkdf2_iterations < 1:
        sys.exit("mmemu: --pbkdf2-iterations must be positive")
    if not 4 <= args.bcrypt_cost <= 31:
        sys.exit("mmemu: --bcrypt-cost must be from 4 to 31")

    config = Config()
    try:
        if args.config:
            with open(args.config, encoding="utf-8") as fh:
                config.apply(json.load(fh))
        config.apply({"ServiceSettings.SiteURL": args.site_url})
    except (OSError, ValueError, ConfigError) as exc:
        sys.exit("mmemu: bad configuration: %s" % exc)
    config.set_baseline()

    from .server import make_server  # after logging is set up
    app = App(args.dsn, token, args.pbkdf2_iterations, config, bcrypt_cost=args.bcrypt_cost)
    app.startup()
    server = make_server(app, host, int(port), log_requests=args.log_requests)
    actual_port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    log.info("listening on %s:%d (site %s, pbkdf2 w=%d)", host, actual_port,
             args.site_url, args.pbkdf2_iterations)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("ready\n%d\n" % actual_port)
        os.replace(tmp, args.ready_file)
    else:
        print("ready", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.db.close()
    return 0
