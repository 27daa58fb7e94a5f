#!/usr/bin/python3
"""Builds everything the tlsrpt-check integration test serves, under STATE:
   pki/       test CA (openssl), leaf certificates, back-dated ones (certtool)
   zones/     one nsd zone per scenario, nsd.conf (for DNS_PORT)
   peers.json what the HTTPS and SMTP peers answer, and which certificate each SNI name gets
Usage: setup.py STATE DNS_PORT
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenarios import SCENARIOS, STS, get, policy, rpt  # noqa: E402


def run(*cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def leaf(pki, name, cn, sans, days=400, ca="ca"):
    """An EC leaf signed by the test CA (or self-signed when ca is None); sans may be empty."""
    key, crt, csr, ext = (os.path.join(pki, name + s) for s in (".key", ".pem", ".csr", ".ext"))
    with open(ext, "w") as f:
        if sans:
            f.write("subjectAltName=" + ",".join("DNS:" + s for s in sans) + "\n")
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    if ca is None:
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", key, "-out", crt, "-days", str(days), "-subj", "/CN=" + cn,
            "-addext", "subjectAltName=" + ",".join("DNS:" + s for s in sans))
        return
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=" + cn)
    run("openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(pki, "ca.pem"), "-CAkey",
        os.path.join(pki, "ca.key"), "-CAcreateserial", "-days", str(days), "-extfile", ext,
        "-out", crt)


def expired(pki, name, sans):
    """openssl x509 -req cannot back-date; certtool can."""
    key, crt, tmpl = (os.path.join(pki, name + s) for s in (".key", ".pem", ".tmpl"))
    run("certtool", "--generate-privkey", "--key-type", "ecdsa", "--outfile", key)
    with open(tmpl, "w") as f:
        f.write('cn = "%s"\n' % sans[0])
        for s in sans:
            f.write('dns_name = "%s"\n' % s)
        f.write('activation_date = "2020-01-01 00:00:00"\n'
                'expiration_date = "2021-01-01 00:00:00"\ntls_www_server\nsigning_key\n')
    run("certtool", "--generate-certificate", "--load-privkey", key, "--load-ca-certificate",
        os.path.join(pki, "ca.pem"), "--load-ca-privkey", os.path.join(pki, "ca.key"),
        "--template", tmpl, "--outfile", crt)


def mx_list(d):
    return get(d, "mx", [(10, "mx1", "127.0.0.1")])


def make_pki(pki):
    os.makedirs(pki, exist_ok=True)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", os.path.join(pki, "ca.key"), "-out", os.path.join(pki, "ca.pem"),
        "-days", "3650", "-subj", "/CN=TLSRPT Test CA", "-addext",
        "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    sni = {}
    default_names = []
    for d in SCENARIOS:
        pc, mc = get(d, "policy_cert"), get(d, "mx_cert")
        host = "mta-sts." + d
        if pc is None:
            default_names.append(host)
        else:
            sni[host] = d + "-policy"
            if pc == "expired":
                expired(pki, d + "-policy", [host])
            elif pc == "wrongname":
                leaf(pki, d + "-policy", "www." + d, ["www." + d])
            elif pc == "wildcard":  # *.polwild.test does not cover mta-sts.sub.polwild.test
                parent = d.split(".", 1)[1]
                leaf(pki, d + "-policy", "*." + parent, ["*." + parent])
        for _, h, _ in mx_list(d):
            name = "%s.%s" % (h, d)
            if mc is None:
                default_names.append(name)
                continue
            sni[name] = d + "-mx"
            if mc == "expired":
                expired(pki, d + "-mx", [name])
            elif mc == "wrongname":
                leaf(pki, d + "-mx", "other." + d, ["other." + d])
            elif mc == "cnonly":
                leaf(pki, d + "-mx", name, [])
            elif mc == "rogue":
                leaf(pki, d + "-mx", name, [name], ca=None)
            elif mc == "soon":  # 10 days from now: "expires in 9 days"
                leaf(pki, d + "-mx", name, [name], days=10)
    leaf(pki, "default", "tlsrpt test default", default_names)
    return sni


def zone(d):
    sts = get(d, "sts", [STS])
    rp = get(d, "rpt", [rpt(d)])
    out = ["$ORIGIN %s." % d, "$TTL 300",
           "@ IN SOA ns1.%s. hostmaster.%s. 1 3600 600 86400 300" % (d, d),
           "@ IN NS ns1", "ns1 IN A 127.0.0.1", "mta-sts IN A 127.0.0.1"]
    for pref, h, addr in mx_list(d):
        out += ["@ IN MX %d %s" % (pref, h), "%s IN A %s" % (h, addr)]
    out += ["_mta-sts IN TXT " + t for t in sts]
    out += ["_smtp._tls IN TXT " + t for t in rp]
    return "\n".join(out) + "\n"


def nsd_conf(state, port):
    z = os.path.join(state, "zones")
    lines = ["server:", "  ip-address: 127.0.0.1@%d" % port, '  username: ""', '  chroot: ""',
             '  zonesdir: "%s"' % z, '  database: ""', '  zonelistfile: "%s/nsd-zone.list"' % z,
             '  xfrdfile: "%s/nsd-xfrd.state"' % z, '  xfrdir: "%s"' % z,
             '  pidfile: "%s/nsd.pid"' % state, '  logfile: "%s/nsd.log"' % state,
             "  server-count: 1", "  verbosity: 1", "remote-control:", "  control-enable: no"]
    for d in SCENARIOS:
        lines += ["zone:", "  name: " + d, "  zonefile: %s.zone" % d]
    return "\n".join(lines) + "\n"


def peers(sni):
    http = {}
    for d in SCENARIOS:
        pol = get(d, "policy", None)
        text = pol(d) if callable(pol) else policy(d)
        h = {"status": 200, "ctype": "text/plain; charset=utf-8", "body": text}
        h.update(get(d, "http", {}))
        http["mta-sts." + d] = h
    return {"http": http, "sni": sni}


def main():
    state, port = sys.argv[1], int(sys.argv[2])
    zones = os.path.join(state, "zones")
    os.makedirs(zones, exist_ok=True)
    pki = os.path.join(state, "pki")
    if not os.path.exists(os.path.join(pki, "default.pem")):
        sni = make_pki(pki)
        with open(os.path.join(state, "peers.json"), "w") as f:
            json.dump(peers(sni), f, indent=1)
    for d in SCENARIOS:
        with open(os.path.join(zones, d + ".zone"), "w") as f:
            f.write(zone(d))
    with open(os.path.join(state, "nsd.conf"), "w") as f:
        f.write(nsd_conf(state, port))


if __name__ == "__main__":
    main()
