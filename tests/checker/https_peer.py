#!/usr/bin/python3
"""HTTPS policy peer for the tlsrpt-check tests: one port, certificate chosen by SNI, answer chosen
by the Host header (STATE/peers.json, written by setup.py).
Usage: https_peer.py STATE PORTFILE        (binds 127.0.0.1 port 0, writes the port to PORTFILE)
"""
import http.server
import json
import os
import socketserver
import ssl
import sys
import time

STATE, PORTFILE = sys.argv[1], sys.argv[2]
PKI = os.path.join(STATE, "pki")
with open(os.path.join(STATE, "peers.json")) as f:
    CONF = json.load(f)


def context(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(PKI, name + ".pem"), os.path.join(PKI, name + ".key"))
    return ctx


CTX = {n: context(n) for n in set(CONF["sni"].values()) | {"default"}}


def sni_cb(sock, server_name, _ctx):
    sock.context = CTX[CONF["sni"].get(server_name or "", "default")]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        h = CONF["http"].get(host, {"status": 404})
        if self.path != "/.well-known/mta-sts.txt":
            h = {"status": 404}
        if "sleep" in h:
            time.sleep(h["sleep"])
        status = h.get("status", 200)
        big = h.get("big")
        body = ("x" * 100000 if big else h.get("body", "not found\n")).encode()
        self.send_response(status)
        if "location" in h:
            self.send_header("Location", h["location"])
        self.send_header("Content-Type", h.get("ctype", "text/plain"))
        if big == "chunked":  # no Content-Length: only the client's own cap can stop it
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 1024):
                part = body[i:i + 1024]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
base = context("default")
base.sni_callback = sni_cb
srv.socket = base.wrap_socket(srv.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
try:
    srv.serve_forever()
except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
    pass
