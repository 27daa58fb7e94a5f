/* smtp_reply.c - SMTP reply recognition (smtp_reply.h). */
#include "smtp_reply.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "STARTTLS" alone or followed by a space (EHLO keyword with parameters). */
static int is_starttls(const char *t, size_t n)
{
    return n >= 8 && strncasecmp(t, "STARTTLS", 8) == 0 && (n == 8 || t[8] == ' ');
}

int tlsrpt_smtp_reply_scan(const char *buf, size_t len, struct tlsrpt_smtp_reply *r)
{
    size_t pos = 0, line = 0;
    memset(r, 0, sizeof *r);
    while (pos < len) {
        const char *s = buf + pos;
        const char *nl = memchr(s, '\n', len - pos);
        if (nl == NULL)
            return len - pos >= TLSRPT_SMTP_LINE_MAX ? -1 : 0;
        size_t l = (size_t)(nl - s);
        if (l + 1 > TLSRPT_SMTP_LINE_MAX)
            return -1;
        if (l > 0 && s[l - 1] == '\r')
            l--;
        if (l < 3 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) ||
            (l > 3 && s[3] != '-' && s[3] != ' '))
            return -1;
        int code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
        if (line > 0 && code != r->code)
            return -1;
        r->code = code;
        const char *text = l > 4 ? s + 4 : "";
        size_t tl = l > 4 ? l - 4 : 0;
        if (line == 0)
            snprintf(r->first, sizeof r->first, "%.*s", (int)l, s);
        else if (is_starttls(text, tl))
            r->has_starttls = 1;
        line++;
        pos += (size_t)(nl - s) + 1;
        if (l == 3 || s[3] == ' ') {
            r->consumed = pos;
            return 1;
        }
    }
    return 0;
}
