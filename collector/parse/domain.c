#include "domain.h"

#include <string.h>

bool tlsrpt_domain_normalize(char *s)
{
    bool changed = false;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') {
            s[i] = (char)(s[i] - 'A' + 'a');
            changed = true;
        }
    }
    if (n > 0 && s[n - 1] == '.') {
        s[n - 1] = '\0';
        changed = true;
    }
    return changed;
}
