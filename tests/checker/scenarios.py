"""Scenario table of the tlsrpt-check integration test (tests/shell/test_check.sh).

Each scenario is one DNS zone served by nsd, one behaviour of the HTTPS policy peer (chosen by the
Host header) and certificates chosen by SNI on the HTTPS and SMTP peers. `expect` is the exact,
sorted list of finding codes the check must report, `exit` its exit status.
Every domain not overridden gets the good set-up: mode enforce, a valid certificate, STARTTLS.
"""

STS = '"v=STSv1; " "id=20240101T000000;"'  # split into two strings: the check must join them


def rpt(d):
    return '"v=TLSRPTv1; rua=mailto:tlsrpt@%s"' % d


def policy(d, mode="enforce", max_age="604800", mx=("mx1",)):
    lines = ["version: STSv1", "mode: " + mode]
    lines += ["mx: %s.%s" % (m, d) if "." not in m else "mx: " + m for m in mx]
    lines.append("max_age: " + max_age)
    return "\r\n".join(lines) + "\r\n"


# name: overrides. Keys: sts (TXT strings or None), rpt, mx (list of (pref, host, addr)),
# policy (text), http (dict for the HTTPS peer), policy_cert / mx_cert (certificate names),
# expect, exit.
SCENARIOS = {
    "good.test": dict(expect=[], exit=0),
    "nosts.test": dict(sts=[], expect=["sts-record-missing"], exit=2),
    "twosts.test": dict(sts=['"v=STSv1; id=1;"', '"v=STSv1; id=2;"'],
                        expect=["sts-record-multiple"], exit=2),
    "badid.test": dict(sts=['"v=STSv1; id=2024-01-01;"'], expect=["sts-id-invalid"], exit=2),
    "notfound.test": dict(http={"status": 404}, expect=["policy-http-status"], exit=2),
    "redirect.test": dict(http={"status": 301, "location": "https://www.redirect.test/mta-sts.txt"},
                          expect=["policy-redirect"], exit=2),
    "html.test": dict(http={"ctype": "text/html"}, expect=["policy-content-type"], exit=2),
    "big.test": dict(http={"big": "chunked"}, expect=["policy-too-large"], exit=2),
    "bigcl.test": dict(http={"big": "length"}, expect=["policy-too-large"], exit=2),
    "polexpired.test": dict(policy_cert="expired", expect=["policy-cert-expired"], exit=2),
    "polname.test": dict(policy_cert="wrongname", expect=["policy-cert-name-mismatch"], exit=2),
    "sub.polwild.test": dict(policy_cert="wildcard",
                             expect=["policy-cert-wildcard-mismatch"], exit=2),
    "testing.test": dict(policy=lambda d: policy(d, mode="testing", max_age="86400"),
                         expect=["mode-testing"], exit=1),
    "maxage.test": dict(policy=lambda d: policy(d, max_age="9999999999"),
                        expect=["policy-max-age-too-large"], exit=2),
    "mxout.test": dict(mx=[(10, "mx1", "127.0.0.1"), (20, "mx2", "127.0.0.1")],
                       expect=["mx-not-in-policy"], exit=2),
    "nostarttls.test": dict(mx=[(10, "mx1", "127.0.0.3")], expect=["mx-no-starttls"], exit=2),
    "mxexpired.test": dict(mx_cert="expired", expect=["mx-cert-expired"], exit=2),
    "mxname.test": dict(mx_cert="wrongname", expect=["mx-cert-name-mismatch"], exit=2),
    "cnonly.test": dict(mx_cert="cnonly", expect=["mx-cert-no-dns-san"], exit=2),
    "rogue.test": dict(mx_cert="rogue", expect=["mx-cert-untrusted"], exit=2),
    "soon.test": dict(mx_cert="soon", expect=["mx-cert-expires-soon"], exit=1),
    "norpt.test": dict(rpt=[], expect=["tlsrpt-record-missing"], exit=2),
    "tworpt.test": dict(rpt=['"v=TLSRPTv1; rua=mailto:a@tworpt.test"',
                             '"v=TLSRPTv1; rua=mailto:b@tworpt.test"'],
                        expect=["tlsrpt-record-multiple"], exit=2),
    "norua.test": dict(rpt=['"v=TLSRPTv1; ruf=mailto:a@norua.test"'],
                       expect=["tlsrpt-no-rua"], exit=2),
    # Not in the acceptance list but cheap: an MX that accepts TCP and then says nothing.
    "silentmx.test": dict(mx=[(10, "mx1", "127.0.0.4")], expect=["mx-timeout"], exit=2),
    # A policy host that answers after 3 s: the fetch gives up at --timeout (2 s in the test).
    "slow.test": dict(http={"sleep": 3}, expect=["policy-timeout"], exit=2),
    # An MX that sends plaintext after its 220 to STARTTLS (the injection flaw).
    "inject.test": dict(mx=[(10, "mx1", "127.0.0.6")], expect=["mx-starttls-injection"], exit=2),
    # And one whose address refuses connections (nothing listens on 127.0.0.5).
    "deadmx.test": dict(mx=[(10, "mx1", "127.0.0.5")], expect=["mx-unreachable"], exit=2),
}


def get(name, key, default=None):
    return SCENARIOS[name].get(key, default)
