"""Runs the simplejwt interop peer; started by serve.sh inside its virtualenv.

Migrates a fresh sqlite database in a new temporary directory, creates the test
user, then serves on 127.0.0.1 (a port the OS picks) with a threaded WSGI
server from the standard library: `runserver` would add an autoreloader and a
development-only stack, and the 401 storm needs requests handled concurrently.

stdout gets exactly one line, "listening on http://127.0.0.1:PORT", once the
socket accepts connections; logs go to stderr. The server stops when stdin is
closed (so a test that dies never leaves it running) or on SIGTERM/SIGINT.

Environment: SIMPLEJWT_TEST_USER, SIMPLEJWT_TEST_PASSWORD (the test user), and
those read by interop_project/settings.py.
"""

import os
import shutil
import signal
import socketserver
import sys
import tempfile
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # The default backlog (5) drops connections of a 50-request burst.
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    """Logs one line per request to stderr (request line and status only: no headers, no bodies)."""

    def log_message(self, format, *args):
        sys.stderr.write("simplejwt: %s\n" % (format % args))


def prepare_database():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(
        username=os.environ.get("SIMPLEJWT_TEST_USER", "alice"),
        password=os.environ.get("SIMPLEJWT_TEST_PASSWORD", "interop-password"),
    )


def stop_on_eof(server):
    """Stops the server once stdin reaches end of file (the parent is gone or done)."""
    while sys.stdin.buffer.read(4096):
        pass
    server.shutdown()


def main():
    db_dir = tempfile.mkdtemp(prefix="tokenkeeper-simplejwt-")
    try:
        os.environ["SIMPLEJWT_DB_PATH"] = os.path.join(db_dir, "db.sqlite3")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interop_project.settings")
        prepare_database()

        from django.core.wsgi import get_wsgi_application

        server = ThreadingWSGIServer(("127.0.0.1", 0), QuietHandler)
        server.set_app(get_wsgi_application())

        def stop(_signum, _frame):
            # shutdown() waits for serve_forever(), which runs on this (the main) thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threading.Thread(target=stop_on_eof, args=(server,), daemon=True).start()

        # The socket is bound and listening since the constructor: connections queue until served.
        print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
        server.serve_forever()
        server.server_close()
        print("simplejwt: stopped", file=sys.stderr)
    finally:
        shutil.rmtree(db_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
