"""Show that websockets 6.0's TLS tests fail on Python 3.10+ for a reason outside asyncio.

    OPENSSL_CONF=<cache>/openssl-tls1.cnf python3.X realworld/tls1_check.py CERT.pem

websockets 6.0's SSLClientServerTests make both ends with ``ssl.SSLContext(ssl.PROTOCOL_TLSv1)``.
This does the same TLS 1.0 handshake over a socket pair with blocking sockets and a thread
(no asyncio at all) and prints the outcome.  With the same OpenSSL and the same OPENSSL_CONF
(MinProtocol = TLSv1, CipherString = DEFAULT@SECLEVEL=0), 3.7-3.9 complete it and 3.10+ fail
with ``NO_CIPHERS_AVAILABLE``: since 3.10 the ssl module sets its own cipher string at
security level 2 on every new context (bpo-43998), which the OpenSSL configuration cannot
lower.  CERT.pem is the sdist's ``websockets/test_localhost.pem``.  Exit status 0 when the
handshake completes, 1 when it fails.
"""

import socket
import ssl
import sys
import threading
import warnings


def main(argv: "list[str]") -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: tls1_check.py CERT.pem (websockets/test_localhost.pem)\n")
        return 2
    cert = argv[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PROTOCOL_TLSv1 is deprecated
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
        client_context = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    server_context.load_cert_chain(cert)
    client_context.load_verify_locations(cert)
    server_end, client_end = socket.socketpair()

    def serve() -> None:
        try:
            server_context.wrap_socket(server_end, server_side=True).recv(1)
        except (OSError, ssl.SSLError):
            pass

    thread = threading.Thread(target=serve)
    thread.start()
    version = sys.version.split()[0]
    try:
        tls = client_context.wrap_socket(client_end, server_hostname="localhost")
    except (OSError, ssl.SSLError) as exc:
        print(f"Python {version}: TLS 1.0 handshake failed: {exc}")
        server_end.close()
        thread.join()
        return 1
    tls.send(b"x")
    thread.join()
    print(f"Python {version}: TLS 1.0 handshake completed ({tls.version()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
