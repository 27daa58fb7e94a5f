#!/usr/bin/python3
"""SMTP peer for the tlsrpt-check tests (python3-aiosmtpd), certificate chosen by SNI from
STATE/peers.json.
Usage: smtp_peer.py STATE ADDR PORT PORTFILE [--no-starttls | --silent | --inject]
  PORT 0 picks a free port; PORTFILE receives the port bound.
  --no-starttls  a real SMTP server that does not offer STARTTLS
  --silent       accepts TCP connections and never says anything (a hung MX)
  --inject       answers STARTTLS with "220" plus a second reply in the same packet, as a
                 man-in-the-middle injecting plaintext would (CVE-2011-0411 class)
"""
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP

STATE, ADDR, PORT, PORTFILE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
MODE = sys.argv[5] if len(sys.argv) > 5 else ""
PKI = os.path.join(STATE, "pki")
with open(os.path.join(STATE, "peers.json")) as f:
    SNI = json.load(f)["sni"]


def context(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(PKI, name + ".pem"), os.path.join(PKI, name + ".key"))
    return ctx


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 OK"


async def silent(reader, writer):
    await asyncio.sleep(3600)


async def inject(reader, writer):
    writer.write(b"220 inject.test.peer ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO"):
            writer.write(b"250-inject.test.peer\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        elif cmd == b"STARTTLS":
            writer.write(b"220 2.0.0 go ahead\r\n250 injected\r\n")
        else:
            writer.write(b"221 bye\r\n")
            break
        await writer.drain()
    writer.close()


async def main():
    loop = asyncio.get_running_loop()
    if MODE == "--silent":
        srv = await asyncio.start_server(silent, ADDR, PORT)
    elif MODE == "--inject":
        srv = await asyncio.start_server(inject, ADDR, PORT)
    else:
        tls = None
        if MODE != "--no-starttls":
            ctxs = {n: context(n) for n in set(SNI.values()) | {"default"}}
            tls = context("default")

            def sni_cb(sock, name, _ctx):
                sock.context = ctxs[SNI.get(name or "", "default")]

            tls.sni_callback = sni_cb
        srv = await loop.create_server(
            lambda: SMTP(Sink(), hostname="mx.test.peer", tls_context=tls, timeout=30),
            host=ADDR, port=PORT)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.sockets[0].getsockname()[1]))
    os.rename(PORTFILE + ".tmp", PORTFILE)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    srv.close()


asyncio.run(main())
