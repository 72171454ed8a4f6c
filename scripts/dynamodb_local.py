"""A DynamoDB-compatible server for the tests: moto's server, one request at a time.

moto's own server (`moto_server`) runs requests on parallel threads with no isolation between
them, so the condition check of one TransactWriteItems can interleave with the writes of another.
Real DynamoDB never lets that happen, and this project's race-freedom rests on it (N concurrent
first logins yield one token). Serialising requests gives moto the isolation DynamoDB has.

Usage: python scripts/dynamodb_local.py PORT [ADDRESS]
ADDRESS defaults to 127.0.0.1 (this machine only). `sam local invoke` on Linux needs an address
its containers reach: Docker's bridge, usually 172.17.0.1 (see docs/LOCAL.md, Invoke the functions
locally). It has no authentication: never give it an address other machines can reach.
"""

import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    if len(sys.argv) not in (2, 3) or not sys.argv[1].isdigit():
        sys.exit("usage: dynamodb_local.py PORT [ADDRESS]")
    port = int(sys.argv[1])
    address = sys.argv[2] if len(sys.argv) == 3 else "127.0.0.1"
    moto_app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # Drain the response inside the lock: the work happens while it is produced.
            return list(moto_app(environ, start_response))

    run_simple(address, port, serialised, threaded=True)


if __name__ == "__main__":
    main()
