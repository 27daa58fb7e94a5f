/* mime.c - writes a report as the email a reporter sends (RFC 8460 §5.3 multipart/report with
 * report-type="tlsrpt"), with each sender's header habits from quirks.md §2: Google's one-line
 * Subject, Microsoft's folded Report-ID and HTML human part with no name= parameter, Mail.ru's
 * Subject folded at every keyword. LF line endings, as in a Maildir. */
#include "gen.h"

#include <gnutls/gnutls.h>
#include <inttypes.h>
#include <string.h>

#define B64_LINE 76 /* RFC 2045 §6.8 maximum encoded line length */

/* Quoted-printable by hand-encoding the few '=' of a fixed text; no other byte needs it. */
static const char ms_html[] =
    "<html>\n"
    "<head>\n"
    "<meta http-equiv=3D\"Content-Type\" content=3D\"text/html; charset=3Dus-ascii\"=\n"
    ">\n"
    "</head>\n"
    "<body>\n"
    "<div>This is an aggregate TLS report from microsoft.com</div>\n"
    " <br>\n"
    "</body>\n"
    "</html>\n";

static int write_base64(FILE *f, const uint8_t *data, size_t len)
{
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)data, (unsigned)len};
    gnutls_datum_t out = {NULL, 0};
    if (len > UINT32_MAX || gnutls_base64_encode2(&in, &out) != 0)
        return -1;
    for (size_t i = 0; i < out.size; i += B64_LINE) {
        size_t n = out.size - i < B64_LINE ? out.size - i : B64_LINE;
        fwrite(out.data + i, 1, n, f);
        fputc('\n', f);
    }
    gnutls_free(out.data);
    return 0;
}

static void write_subject(FILE *f, const struct gen_item *it, const struct gen_report *r)
{
    const char *dom = it->dom->name;
    const char *sub = gen_reporter_info(it->rep)->submitter;
    switch (it->rep) {
    case GEN_MICROSOFT:
        fprintf(f, "Subject: Report Domain: %s Submitter: %s Report-ID:\n %s\n", dom, sub,
                r->subject_id);
        break;
    case GEN_MAILRU:
        fprintf(f, "Subject: Report\n Domain: %s\n Submitter: %s\n Report-ID: %s\n", dom, sub,
                r->subject_id);
        break;
    default:
        fprintf(f, "Subject: Report Domain: %s Submitter: %s Report-ID: %s\n", dom, sub,
                r->subject_id);
        break;
    }
}

static void boundary(const struct gen_item *it, const struct gen_report *r, char *buf, size_t len)
{
    struct gen_rng g;
    gen_rng_seed(&g, (uint64_t)r->sent, it->dom_index, it->rep, 0xb0);
    uint64_t a = gen_rng_next(&g), b = gen_rng_next(&g);
    switch (it->rep) {
    case GEN_GOOGLE:
        snprintf(buf, len, "000000000000%016" PRIx64, a);
        break;
    case GEN_MICROSOFT:
        snprintf(buf, len, "_%08" PRIx64 "-%04x-%04x-%04x-%012" PRIx64 "_", a >> 32,
                 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff, (unsigned)(b >> 48),
                 (uint64_t)(b & 0xffffffffffffULL));
        break;
    case GEN_MAILRU:
        snprintf(buf, len, "----=_NextPart_%019" PRIu64, (uint64_t)(a % 10000000000000000000ULL));
        break;
    default:
        snprintf(buf, len, "=_tlsrpt_%016" PRIx64, a);
        break;
    }
}

static void write_human(FILE *f, enum gen_reporter rep, const char *bnd)
{
    const char *sub = gen_reporter_info(rep)->submitter;
    fprintf(f, "--%s\n", bnd);
    switch (rep) {
    case GEN_GOOGLE:
        fprintf(f, "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n\n"
                   "This is an aggregate TLS report from google.com\n\n");
        break;
    case GEN_MICROSOFT:
        fprintf(f,
                "Content-Type: text/html; charset=\"us-ascii\"\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n",
                ms_html);
        break;
    default:
        fprintf(f,
                "Content-Type: text/plain; charset=\"us-ascii\"\n"
                "Content-Transfer-Encoding: 7bit\n\n"
                "This is an aggregate TLS report from %s\n\n",
                sub);
        break;
    }
}

static void write_attachment_headers(FILE *f, enum gen_reporter rep, const char *name)
{
    if (rep == GEN_MICROSOFT) /* no name=, the file name in a folded Content-Description */
        fprintf(f,
                "Content-Type: application/tlsrpt+gzip\n"
                "Content-Description:\n %s\n"
                "Content-Disposition: attachment;\n\tfilename=\"%s\"\n",
                name, name);
    else
        fprintf(f,
                "Content-Type: application/tlsrpt+gzip;\n\tname=\"%s\"\n"
                "Content-Disposition: attachment;\n\tfilename=\"%s\"\n",
                name, name);
    fprintf(f, "Content-Transfer-Encoding: base64\n\n");
}

int gen_mime_write(FILE *f, const struct gen_item *it, const struct gen_report *r,
                   const uint8_t *gz, size_t gzlen)
{
    const struct gen_reporter_info *who = gen_reporter_info(it->rep);
    char date[64], bnd[80];
    gen_fmt_time(r->sent, GEN_T_RFC5322, date, sizeof date);
    boundary(it, r, bnd, sizeof bnd);

    fprintf(f, "From: %s\n", who->from);
    fprintf(f, "To: tlsrpt@%s\n", it->dom->name);
    fprintf(f, "Date: %s\n", date);
    write_subject(f, it, r);
    fprintf(f, "Message-ID: %s\n", r->message_id);
    fprintf(f, "TLS-Report-Domain: %s\n", it->dom->name);
    fprintf(f, "TLS-Report-Submitter: %s\n", who->submitter);
    if (it->rep == GEN_MAILRU || it->rep == GEN_SYS4)
        fprintf(f, "Auto-Submitted: auto-generated\n");
    fprintf(f, "MIME-Version: 1.0\n");
    fprintf(f, "Content-Type: multipart/report; report-type=\"tlsrpt\";\n\tboundary=\"%s\"\n\n",
            bnd);
    if (it->rep == GEN_MAILRU)
        fprintf(f, "This is a multipart message in MIME format.\n\n");

    write_human(f, it->rep, bnd);
    fprintf(f, "--%s\n", bnd);
    write_attachment_headers(f, it->rep, r->filename);
    if (write_base64(f, gz, gzlen) != 0)
        return -1;
    fprintf(f, "--%s--\n", bnd);
    return ferror(f) ? -1 : 0;
}
