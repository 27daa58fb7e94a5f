/* dns_rdata.c - TXT and MX RDATA decoding (dns_rdata.h). */
#include "dns_rdata.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *tlsrpt_txt_rdata_join(const uint8_t *rd, size_t len, int *malformed)
{
    *malformed = 1;
    if (len == 0)
        return NULL;
    char *out = malloc(len); /* the joined text is shorter than the RDATA by one length byte */
    if (out == NULL) {
        *malformed = 0;
        return NULL;
    }
    size_t i = 0, o = 0;
    while (i < len) {
        size_t n = rd[i++];
        if (n > len - i || memchr(rd + i, '\0', n) != NULL) {
            free(out);
            return NULL;
        }
        memcpy(out + o, rd + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    *malformed = 0;
    return out;
}

/* Host-name bytes only: anything else in an MX target is not something we can connect to. */
static int host_char(uint8_t c)
{
    return isalnum(c) || c == '-' || c == '_';
}

int tlsrpt_mx_rdata(const uint8_t *rd, size_t len, uint16_t *pref, char host[TLSRPT_DNS_NAME_MAX])
{
    if (len < 3)
        return -1;
    *pref = (uint16_t)(rd[0] << 8 | rd[1]);
    size_t i = 2, o = 0;
    while (i < len && rd[i] != 0) {
        size_t n = rd[i++];
        if (n > 63 || n > len - i || o + n + 1 >= TLSRPT_DNS_NAME_MAX)
            return -1; /* also refuses compression pointers (0xC0): RFC 3597 forbids them here */
        if (o > 0)
            host[o++] = '.';
        for (size_t k = 0; k < n; k++) {
            if (!host_char(rd[i + k]))
                return -1;
            host[o++] = (char)tolower(rd[i + k]);
        }
        i += n;
    }
    if (i != len - 1) /* the root label must end the RDATA exactly */
        return -1;
    if (o == 0)
        host[o++] = '.';
    host[o] = '\0';
    return 0;
}
